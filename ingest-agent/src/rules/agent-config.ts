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
import { DEFAULT_REPORT_LANGUAGE, REPORT_LANGUAGES } from '../report/language.js';
import { DEFAULT_JUNK, DEFAULT_NAMING } from './default-rules.js';
import { normalizeName } from './normalize-name.js';

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
      /**
       * Shortest black stretch reported. One second: what matters to the team (a black start or
       * end, a lens cap, a hole in the edit) lasts that long, and footage with a keyframe every
       * second (most cameras and editors) is then checked keyframe first.
       */
      blackMinSeconds: qcNumber('seconds', 0.1, 60).default(1),
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

/** A word as names are compared: lowercase, no diacritics, runs of spaces as one. */
export function foldWord(word: string): string {
  return normalizeName(word.trim()).replace(/\s+/g, ' ');
}

const WORD_EXPECTED = 'a word with letters or digits, such as "stanga"';
const wordSchema = z
  .string({ error: expected(WORD_EXPECTED) })
  .refine((word) => /[\p{L}\p{N}]/u.test(word), { error: expected(WORD_EXPECTED) });

const MARKER_EXPECTED = 'a marker with {n} where the take number goes, such as "v{n}" or "({n})"';
const markerSchema = z
  .string({ error: expected(MARKER_EXPECTED) })
  .refine((marker) => marker.split('{n}').length === 2 && marker.trim() === marker, {
    error: expected(MARKER_EXPECTED),
  });

const slotWordsSchema = z
  .strictObject(
    Object.fromEntries(
      SLOTS.map((slot) => [
        slot,
        z
          .array(wordSchema, { error: expected('a list of words such as ["stanga", "left"]') })
          .min(1, { error: expected('at least one word, or leave the part out') })
          .optional(),
      ]),
    ) as Record<Slot, z.ZodOptional<z.ZodArray<typeof wordSchema>>>,
    { error: expected(`an object {"<part>": ["word", …]} with parts ${SLOTS.join(', ')}`) },
  )
  .refine((words) => Object.values(words).some((list) => list !== undefined), {
    error: expected('words for at least one part, such as {"intro": ["intro"]}'),
  });

/**
 * The keyword form of the rename rules: per slot the words that name it, the variant and language
 * markers that may follow, and the extensions of each kind. Compiled to the same matcher as `rules`.
 */
const namingSchema = z
  .strictObject(
    {
      /** Slot → its words. Default: the team's words. */
      words: slotWordsSchema.prefault(() =>
        Object.fromEntries(Object.entries(DEFAULT_NAMING.words).map(([slot, words]) => [slot, [...words]])),
      ),
      /** Text around `{n}` after the slot word that marks take n. Default ` v2`, ` (2)`. */
      variants: z
        .array(markerSchema, { error: expected('a list of markers such as ["v{n}", "({n})"]') })
        .default(() => [...DEFAULT_NAMING.variants]),
      /** Language codes that may follow the slot word (`Stanga EN.mp3`). Default none. */
      languages: z
        .array(languageSchema, { error: expected('a list of language codes such as ["en"]') })
        .default(() => [...DEFAULT_NAMING.languages]),
      /** Extensions that make a file a video or a voice-over. */
      extensions: z
        .strictObject(
          {
            video: extensionsSchema.default(() => [...DEFAULT_NAMING.extensions.video]),
            'voice-over': extensionsSchema.default(() => [...DEFAULT_NAMING.extensions['voice-over']]),
          },
          { error: expected('an object {"video": [...], "voice-over": [...]}') },
        )
        .prefault({}),
    },
    { error: expected('an object {"words", "variants", "languages", "extensions"}') },
  )
  .superRefine((naming, ctx) => {
    // A word names one slot: the same word under two would make the first listed win silently.
    const seen = new Map<string, string>();
    for (const slot of SLOTS) {
      naming.words[slot]?.forEach((word, index) => {
        const folded = foldWord(word);
        const earlier = seen.get(folded);
        if (earlier !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['words', slot, index],
            message: `${describeValue(word)} is already a word of ${earlier}; a word can name only one part, so remove it from one of them`,
          });
        } else seen.set(folded, `${slot} (naming.words${formatConfigPath([slot, index])})`);
      });
    }
    naming.languages.forEach((language, index) => {
      const earlier = seen.get(foldWord(language));
      if (earlier === undefined) return;
      ctx.addIssue({
        code: 'custom',
        path: ['languages', index],
        message: `${describeValue(language)} is also a word of ${earlier}; a name could not say which it means, so remove one`,
      });
    });
    const video = new Set(naming.extensions.video);
    naming.extensions['voice-over'].forEach((ext, index) => {
      if (!video.has(ext)) return;
      ctx.addIssue({
        code: 'custom',
        path: ['extensions', 'voice-over', index],
        message: `"${ext}" is also a video extension; an extension can make a file only one kind, so remove it from one list`,
      });
    });
  });

export type Naming = z.output<typeof namingSchema>;

export const agentConfigSchema = z
  .strictObject(
    {
      /**
       * Rename rules as regular expressions, for experts; tried in order before `naming`. A file with
       * `rules` and no `naming` is matched by its rules alone.
       */
      rules: z
        .array(ruleSchema, { error: expected('a list of rules') })
        .min(1, { error: expected('at least one rule') })
        .optional(),
      /** Rename rules as words per slot. Default (when the file has neither): the team's naming. */
      naming: namingSchema.optional(),
      /**
       * Language of `_REPORT.txt` and the refusal reasons in it, the texts the filming team reads.
       * Logs, CLI output and events stay English. Default "en"; the shipped config sets "ro".
       */
      reportLanguage: z
        .enum(REPORT_LANGUAGES, { error: expected(REPORT_LANGUAGES.map((code) => `"${code}"`).join(' or ')) })
        .default(DEFAULT_REPORT_LANGUAGE),
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
  })
  .transform(({ rules, naming, ...rest }) => ({
    ...rest,
    rules: rules ?? [],
    naming: naming ?? (rules === undefined ? namingSchema.parse({}) : null),
  }));

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
