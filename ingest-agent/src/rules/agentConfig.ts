import {
  describeValue,
  isValidLanguage,
  isValidSlug,
  MAX_VARIANT,
  PipelineError,
  SLOTS,
  type Slot,
} from '@exercise-pipeline/shared';
import { z } from 'zod';
import { DEFAULT_JUNK, DEFAULT_RULES } from './defaultRules.js';

/** `expected <what>, got <value>`: every message says what to write instead. */
function expected(what: string) {
  return (issue: { input?: unknown }): string =>
    issue.input === undefined
      ? `is required: expected ${what}`
      : `expected ${what}, got ${describeValue(issue.input)}`;
}

const LANGUAGE_EXPECTED = 'a language code such as "ro", "en" or "pt-BR"';
const languageSchema = z.string({ error: expected(LANGUAGE_EXPECTED) }).refine(isValidLanguage, {
  error: expected(LANGUAGE_EXPECTED),
});

const slugSchema = z.string({ error: expected('an exercise slug') }).refine(isValidSlug, {
  error: expected(
    'a slug of lowercase letters and digits in words joined by single hyphens, e.g. "squat-wall"',
  ),
});

const booleanSchema = z.boolean({ error: expected('true or false') });

function positiveInt(what: string) {
  return z.int({ error: expected(what) }).positive({ error: expected(what) });
}

function checkRegex(source: string, ctx: z.RefinementCtx): void {
  try {
    new RegExp(source, 'u');
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    ctx.addIssue({ code: 'custom', message: `is not a valid regular expression (${detail})` });
  }
}

export const FILE_KINDS = ['video', 'voice-over'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/** The container each kind has inside a bundle; anything else must be re-encoded. */
export const BUNDLE_CONTAINER: Record<FileKind, string> = { video: 'mp4', 'voice-over': 'mp3' };

const slotList = SLOTS as readonly [Slot, ...Slot[]];

const ruleSchema = z.strictObject(
  {
    /** Free text shown in plans and logs. */
    description: z.string({ error: expected('text') }).optional(),
    /**
     * Regular expression source tested against the normalized file name (extension included).
     * Named groups `variant` and `language` override the fixed values below.
     */
    match: z
      .string({ error: expected('a regular expression') })
      .min(1, { error: expected('a regular expression') })
      .superRefine(checkRegex),
    slot: z.enum(slotList, { error: expected(`one of ${SLOTS.join(', ')}`) }),
    kind: z.enum(FILE_KINDS, { error: expected(`one of ${FILE_KINDS.join(', ')}`) }),
    /** Used when the expression has no `variant` group or it did not take part in the match. Default 1. */
    variant: z
      .int({ error: expected(`a whole number from 1 to ${MAX_VARIANT}`) })
      .min(1, { error: expected(`a whole number from 1 to ${MAX_VARIANT}`) })
      .max(MAX_VARIANT, { error: expected(`a whole number from 1 to ${MAX_VARIANT}`) })
      .optional(),
    /** Used when the expression has no `language` group; default the config's `defaultLanguage`. */
    language: languageSchema.optional(),
    /** Match `Stanga` and `stanga` alike unless true. Default false. */
    caseSensitive: booleanSchema.default(false),
    /** Match `Stânga` and `Stanga` alike unless true. Default false. */
    diacriticSensitive: booleanSchema.default(false),
  },
  { error: expected('a rule object {"match", "slot", "kind"}') },
);

export type AgentRule = z.output<typeof ruleSchema>;

const extensionsSchema = z
  .array(
    z.string({ error: expected('an extension such as "mp4"') }).regex(/^[a-z0-9]+$/, {
      error: expected('a lowercase extension without the dot, such as "mp4"'),
    }),
    { error: expected('a list of extensions such as ["mp4"]') },
  )
  .min(1, { error: expected('at least one extension') });

const manifestDefaultsSchema = z
  .strictObject(
    {
      reps_per_video_block: positiveInt('a positive whole number').default(5),
      counts_per_audio_master: positiveInt('a positive whole number').default(20),
      /** Languages written to the manifest when the delivery has no voice-over files. */
      languages: z
        .array(languageSchema, { error: expected('a list of language codes such as ["ro"]') })
        .min(1, { error: expected('at least one language code') })
        .optional(),
    },
    { error: expected('an object with reps_per_video_block, counts_per_audio_master, languages') },
  )
  .superRefine((defaults, ctx) => {
    if (defaults.counts_per_audio_master % defaults.reps_per_video_block !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['counts_per_audio_master'],
        message: `expected a multiple of reps_per_video_block (${defaults.reps_per_video_block}), got ${defaults.counts_per_audio_master}`,
      });
    }
  });

/** What a QC finding of one kind does: a warning in the report, a refusal, or nothing. */
export const QC_ACTIONS = ['warn', 'refuse', 'off'] as const;
export type QcAction = (typeof QC_ACTIONS)[number];

const qcActionSchema = z.enum(QC_ACTIONS, { error: expected('"warn", "refuse" or "off"') });

function qcNumber(what: string, min: number, max: number) {
  const message = expected(`${what} from ${min} to ${max}`);
  return z.number({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/**
 * The picture and sound check (see config/README.md "Picture and sound check"): per kind of finding
 * what it does, and the thresholds that decide what counts.
 */
const qcSchema = z
  .strictObject(
    {
      /** Decode every media file once to check it (and measure voice-over loudness). Default true. */
      enabled: booleanSchema.default(true),
      /** A black picture for at least `blackMinSeconds`. */
      black: qcActionSchema.default('warn'),
      /** A picture that does not change for at least `freezeMinSeconds`. */
      freeze: qcActionSchema.default('warn'),
      /** A voice-over whose loudest moment stays below `silentPeakDbfs`. */
      silent: qcActionSchema.default('warn'),
      /** A silence of at least `silenceMinSeconds` inside a voice-over. */
      silence: qcActionSchema.default('warn'),
      /** A voice-over reaching full scale in at least `clippingMinPlaces` places. */
      clipping: qcActionSchema.default('warn'),
      /** A video whose frames do not come at one steady rate. */
      vfr: qcActionSchema.default('warn'),
      /** A video meant to be shown turned (rotation metadata). */
      rotation: qcActionSchema.default('warn'),
      blackMinSeconds: qcNumber('seconds', 0.1, 60).default(0.5),
      /** Luma below this share of the range counts as black (blackdetect pix_th). */
      blackPixelThreshold: qcNumber('a fraction', 0, 1).default(0.1),
      freezeMinSeconds: qcNumber('seconds', 0.2, 600).default(2),
      /** Frames closer than this count as the same picture (freezedetect noise, in dB). */
      freezeNoiseDb: qcNumber('decibels', -90, 0).default(-50),
      silentPeakDbfs: qcNumber('dBFS', -120, 0).default(-40),
      silenceMinSeconds: qcNumber('seconds', 0.5, 600).default(8),
      /** Quieter than this counts as silence (silencedetect noise, in dB). */
      silenceNoiseDb: qcNumber('decibels', -120, 0).default(-50),
      /** A stretch of sound whose peak reaches this counts as at full scale. */
      clippingPeakDbfs: qcNumber('dBFS', -6, 0).default(-0.5),
      clippingMinPlaces: z
        .int({ error: expected('a whole number from 1 to 100000') })
        .min(1, { error: expected('a whole number from 1 to 100000') })
        .max(100_000, { error: expected('a whole number from 1 to 100000') })
        .default(10),
      /** Average and nominal frame rate may differ by this much before it counts as variable. */
      vfrTolerancePercent: qcNumber('percent', 0, 100).default(0.5),
    },
    { error: expected('an object such as {"black": "warn", "freeze": "refuse"}') },
  )
  .prefault({});

export type QcConfig = z.output<typeof qcSchema>;

export const agentConfigSchema = z
  .strictObject(
    {
      /** Ordered; the first rule whose expression matches decides. Default: the team's naming. */
      rules: z
        .array(ruleSchema, { error: expected('a list of rules') })
        .min(1, { error: expected('at least one rule') })
        .prefault(() => DEFAULT_RULES.map((rule) => ({ ...rule }))),
      /** Language of voice-over files and framing videos whose rule names none. Default "ro". */
      defaultLanguage: languageSchema.default('ro'),
      /** Globs (micromatch) of files that are never part of a delivery. */
      junk: z
        .array(
          z
            .string({ error: expected('a glob such as "*.tmp"') })
            .min(1, { error: expected('a non-empty glob') }),
          {
            error: expected('a list of globs'),
          },
        )
        .default(() => [...DEFAULT_JUNK]),
      /** Delivery folder name → exercise slug, for folders whose name does not slugify well. */
      folderSlugs: z
        .record(z.string(), slugSchema, { error: expected('an object {"folder name": "slug"}') })
        .default({}),
      manifestDefaults: manifestDefaultsSchema.prefault({}),
      /** A delivery is complete once nothing in it changed for this long. Default 30. */
      settleSeconds: z
        .number({ error: expected('a number of seconds') })
        .min(0, { error: expected('0 or more seconds') })
        .default(30),
      /** Scan interval of `watch --poll` (network shares without change events). Default 5. */
      pollIntervalSeconds: z
        .number({ error: expected('a number of seconds') })
        .positive({ error: expected('more than 0 seconds') })
        .default(5),
      /**
       * `watch`: a quiet delivery that stays incomplete (cut off, damaged, unreadable) with the same
       * content for this long is refused with a report. Default 600.
       */
      refuseIncompleteAfterSeconds: z
        .number({ error: expected('a number of seconds') })
        .positive({ error: expected('more than 0 seconds') })
        .default(600),
      /** `watch` without `--poll`: a full scan this often catches missed events and a remounted share. Default 60. */
      rescanSeconds: z
        .number({ error: expected('a number of seconds') })
        .positive({ error: expected('more than 0 seconds') })
        .default(60),
      /** `watch`: a heartbeat log line (and DATA_DIR/watch/status.json) this often. Default 300. */
      heartbeatSeconds: z
        .number({ error: expected('a number of seconds') })
        .positive({ error: expected('more than 0 seconds') })
        .default(300),
      /** Re-encode every file to the house format instead of uploading it as delivered. Default false. */
      normalize: booleanSchema.default(false),
      /** After a successful ingest: move the folder to `processed/` or leave it. Default "move". */
      onSuccess: z.enum(['move', 'leave'], { error: expected('"move" or "leave"') }).default('move'),
      /** After a refusal: leave the folder for the team to fix, or move it to `rejected/`. Default "leave". */
      onRefusal: z.enum(['leave', 'move'], { error: expected('"leave" or "move"') }).default('leave'),
      /** Containers accepted per kind. Default mp4 for videos, mp3 for voice-over. */
      allowedContainers: z
        .strictObject(
          {
            video: extensionsSchema.default(() => [BUNDLE_CONTAINER.video]),
            'voice-over': extensionsSchema.default(() => [BUNDLE_CONTAINER['voice-over']]),
          },
          { error: expected('an object {"video": [...], "voice-over": [...]}') },
        )
        .prefault({}),
      qc: qcSchema,
    },
    { error: expected('a JSON object') },
  )
  .superRefine((config, ctx) => {
    if (config.normalize) return;
    for (const kind of FILE_KINDS) {
      config.allowedContainers[kind].forEach((ext, index) => {
        if (ext === BUNDLE_CONTAINER[kind]) return;
        ctx.addIssue({
          code: 'custom',
          path: ['allowedContainers', kind, index],
          message: `"${ext}" needs re-encoding to ${BUNDLE_CONTAINER[kind]}; set "normalize": true or remove it`,
        });
      });
    }
  });

export type AgentConfig = z.output<typeof agentConfigSchema>;
export type AgentConfigInput = z.input<typeof agentConfigSchema>;

/** The agent's config file is unusable; `issues` holds one `<file>: <path>: <problem>` line each. */
export class AgentConfigError extends PipelineError {
  readonly issues: readonly string[];

  constructor(sourceName: string, issues: readonly string[]) {
    super(`${sourceName} is not a valid agent config:\n  ${issues.join('\n  ')}`, {
      code: 'AGENT_CONFIG_INVALID',
    });
    this.issues = issues;
  }
}

/** `rules[2].slot`, `folderSlugs["001 Squat"]`: the path as the reader finds it in the JSON file. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part))
      out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

function issueLines(sourceName: string, error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map(
        (key) =>
          `${sourceName}: ${formatConfigPath([...issue.path, key])}: unknown field; check its spelling (fields are described in config/README.md)`,
      );
    }
    const where = issue.path.length === 0 ? '(whole file)' : formatConfigPath(issue.path);
    return [`${sourceName}: ${where}: ${issue.message}`];
  });
}

/**
 * Parses and validates the agent config file's text. Throws AgentConfigError listing every
 * problem at once, each line naming the file and the path inside it.
 */
export function loadAgentConfig(jsonText: string, sourceName: string): AgentConfig {
  let value: unknown;
  try {
    value = JSON.parse(jsonText);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AgentConfigError(sourceName, [`${sourceName}: is not valid JSON (${detail}); fix the syntax`]);
  }
  const result = agentConfigSchema.safeParse(value);
  if (!result.success) throw new AgentConfigError(sourceName, issueLines(sourceName, result.error));
  return result.data;
}
