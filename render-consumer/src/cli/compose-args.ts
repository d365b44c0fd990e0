import { parseArgs } from 'node:util';
import type { FieldIssue } from '@exercise-pipeline/shared';

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
  help: boolean;
}

export type ParsedComposeArgs = { request: ComposeRequest; reasons: FieldIssue[] };

/**
 * Reads the flags without judging the recipe: values are passed on as given so validateRecipe
 * can report every problem of the recipe at once. `reasons` are the problems that stop a run
 * before the bundle is read (unknown flag, no bundle, a bad --asset-version).
 */
export function parseComposeArgs(args: readonly string[]): ParsedComposeArgs {
  const reasons: FieldIssue[] = [];
  let values: Record<string, string | boolean | undefined> = {};
  try {
    values = parseArgs({
      args: [...args],
      allowPositionals: false,
      strict: true,
      options: {
        bundle: { type: 'string' },
        exercise: { type: 'string' },
        language: { type: 'string' },
        sets: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        'asset-version': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    reasons.push({ field: 'flags', message: `${message.replace(/\s*\n\s*/g, ' ')}; see --help` });
    // Still honour --json so a script gets a JSON answer even for a typo in another flag.
    values = { json: args.includes('--json') };
  }
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);

  const bundleDir = text('bundle');
  const exercise = text('exercise');
  if (bundleDir === undefined && exercise === undefined && reasons.length === 0 && values.help !== true) {
    reasons.push({ field: 'bundle', message: 'is required: pass --bundle <dir> or --exercise <slug>' });
  }
  if (bundleDir !== undefined && exercise !== undefined) {
    reasons.push({ field: 'bundle', message: 'pass either --bundle or --exercise, not both' });
  }

  const sets = parseSets(text('sets'));
  const seedText = text('seed');
  const assetVersionText = text('asset-version');
  let assetVersion: number | undefined;
  if (assetVersionText !== undefined) {
    assetVersion = wholeNumber(assetVersionText);
    if (assetVersion === undefined) {
      reasons.push({
        field: 'asset-version',
        message: `expected a whole number >= 0, got ${JSON.stringify(assetVersionText)}`,
      });
    }
  }
  const request: ComposeRequest = {
    bundleDir,
    exercise,
    recipe: {
      language: text('language'),
      sets: sets.sets,
      seed: seedText === undefined ? undefined : (wholeNumber(seedText) ?? seedText),
    },
    setReasons: sets.reasons,
    out: text('out'),
    assetVersion,
    json: values.json === true,
    help: values.help === true,
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
