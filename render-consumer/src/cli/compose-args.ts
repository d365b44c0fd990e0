import type { FieldIssue, FlagValues } from '@exercise-pipeline/shared';

export const COMPOSE_USAGE = `usage: exercise-consumer compose (--bundle <dir> | --exercise <slug>) --language <l>
         --sets <side:reps,...> --seed <n> [--out <file>] [--asset-version <n>] [--json]

Renders one recipe to a file without publishing it.
  --bundle <dir>         a local convention bundle (manifest.json, *-video-{n}.mp4, audio/{lang}/…)
  --exercise <slug>      the exercise's bundle in the assets bucket
  --language <l>         voice-over language, one of the manifest's languages
  --sets <list>          e.g. left:5,right:5 (reps are multiples of reps_per_video_block)
  --seed <n>             whole number >= 0; the same seed gives the same variant choices
  --out <file>           default $DATA_DIR/renders/<exercise>-<language>-<sets>-seed<n>.mp4
  --asset-version <n>    seeds the variant choices with this version; default 1 for --bundle
  --json                 print {durationSeconds, recipeHash, path, mode, segments} on stdout
`;

export interface ComposeRequest {
  bundleDir?: string | undefined;
  exercise?: string | undefined;
  /** The recipe as the flags give it, minus `exercise` (taken from the bundle or --exercise). */
  recipe: { language?: string | undefined; sets?: unknown[] | undefined; seed?: unknown };
  /**
   * --sets items that were not `side:reps`. They are reported together with the recipe check's
   * reasons (their placeholders always fail it), so one run lists every problem.
   */
  setReasons: FieldIssue[];
  out?: string | undefined;
  assetVersion?: number | undefined;
  json: boolean;
}

export type ParsedComposeArgs = { request: ComposeRequest; reasons: FieldIssue[] };

/** The flags of `exercise-consumer compose`; the recipe's own are kept as text for the recipe check. */
export const COMPOSE_FLAGS = {
  bundle: { type: 'string', value: '<dir>' },
  exercise: { type: 'string', value: '<slug>' },
  language: { type: 'string', value: '<l>' },
  sets: { type: 'string', value: '<side:reps,...>' },
  seed: { type: 'string', value: '<n>' },
  out: { type: 'string', value: '<file>' },
  'asset-version': { type: 'number', value: '<n>', min: 0, expects: 'a whole number >= 0' },
} as const;

/**
 * Turns the parsed flags into a request without judging the recipe: values are passed on as given
 * so validateRecipe can report every problem of the recipe at once. `reasons` are the problems
 * that stop a run before the bundle is read (no bundle, or both sources).
 */
export function composeRequest(flags: FlagValues<typeof COMPOSE_FLAGS>, json: boolean): ParsedComposeArgs {
  const reasons: FieldIssue[] = [];
  const { bundle: bundleDir, exercise } = flags;
  if (bundleDir === undefined && exercise === undefined) {
    reasons.push({ field: 'bundle', message: 'is required: pass --bundle <dir> or --exercise <slug>' });
  }
  if (bundleDir !== undefined && exercise !== undefined) {
    reasons.push({ field: 'bundle', message: 'pass either --bundle or --exercise, not both' });
  }
  const sets = parseSets(flags.sets);
  const seedText = flags.seed;
  const request: ComposeRequest = {
    bundleDir,
    exercise,
    recipe: {
      language: flags.language,
      sets: sets.sets,
      seed: seedText === undefined ? undefined : (wholeNumber(seedText) ?? seedText),
    },
    setReasons: sets.reasons,
    out: flags.out,
    assetVersion: flags['asset-version'],
    json,
  };
  return { request, reasons };
}

/** `left:5,right:10` → [{side:'left', reps:5}, …]; numbers stay text when they are not whole numbers. */
export function parseSets(text: string | undefined): { sets?: unknown[]; reasons: FieldIssue[] } {
  if (text === undefined) return { reasons: [] };
  const sets: unknown[] = [];
  const reasons: FieldIssue[] = [];
  text.split(',').forEach((item, index) => {
    const parts = item.trim().split(':');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      sets.push({});
      reasons.push({
        field: `sets.${index}`,
        message: `expected side:reps such as left:5, got ${JSON.stringify(item)}`,
      });
      return;
    }
    const [side, reps] = parts as [string, string];
    sets.push({ side, reps: wholeNumber(reps) ?? reps });
  });
  return { sets, reasons };
}

function wholeNumber(text: string): number | undefined {
  return /^\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : undefined;
}
