import { z } from 'zod';
import { describeValue, type FieldIssue, ManifestInvalidError } from './errors.js';
import {
  expected,
  isRecord,
  languageSchema,
  positiveInt,
  repsProblem,
  seedSchema,
  setSchema,
  sideSchema,
  slugSchema,
  toFieldIssues,
  uniqueList,
} from './schema-parts.js';
import { isSide, type Side } from './types.js';

export const DEFAULT_REPS_PER_VIDEO_BLOCK = 5;
export const DEFAULT_COUNTS_PER_AUDIO_MASTER = 20;
export const DEFAULT_SIDES: readonly Side[] = ['left', 'right'];

const catalogPreviewSchema = z.object(
  {
    sets: z
      .array(setSchema, { error: expected('a list of sets such as [{"side": "left", "reps": 5}]') })
      .min(1, { error: expected('at least one set') }),
    seed: seedSchema,
  },
  { error: expected('an object {"sets": [...], "seed": n}') },
);

/**
 * `manifest.json` at the root of every bundle. Unknown fields are dropped rather than refused so an
 * older consumer keeps accepting bundles from a newer agent.
 */
export const manifestSchema = z
  .object(
    {
      exercise: slugSchema,
      title: z
        .string({ error: expected('a non-empty title') })
        .trim()
        .min(1, { error: expected('a non-empty title') })
        .optional(),
      /** Repetitions filmed in one rep video; sets are cut from whole blocks. Default 5. */
      reps_per_video_block: positiveInt().default(DEFAULT_REPS_PER_VIDEO_BLOCK),
      /** Counts spoken in one rep voice-over master (1..N); the longest possible set. Default 20. */
      counts_per_audio_master: positiveInt().default(DEFAULT_COUNTS_PER_AUDIO_MASTER),
      /** Sides filmed; default ["left", "right"]. */
      sides: uniqueList(sideSchema, 'sides ("left", "right", "bilateral")').default(() => [...DEFAULT_SIDES]),
      languages: uniqueList(languageSchema, 'language codes such as "ro"'),
      /** The recipe rendered for the catalog in every language; without it one block per side. */
      catalog_preview: catalogPreviewSchema.optional(),
    },
    { error: expected('a JSON object with "exercise" and "languages"') },
  )
  // Runs even when single fields failed, so one pass reports every problem of the file.
  .superRefine((manifest, ctx) => crossCheck(manifest, ctx), { when: (payload) => isRecord(payload.value) });

export type Manifest = z.output<typeof manifestSchema>;

type IssueSink = { addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void };

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function crossCheck(manifest: Record<string, unknown>, ctx: IssueSink): void {
  const block = manifest.reps_per_video_block;
  const max = manifest.counts_per_audio_master;
  const blockOk = isPositiveInt(block);
  const maxOk = isPositiveInt(max);
  if (blockOk && maxOk && max % block !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['counts_per_audio_master'],
      message: `expected a multiple of reps_per_video_block (${block}), got ${max}`,
    });
  }
  const preview = manifest.catalog_preview;
  if (!isRecord(preview) || !Array.isArray(preview.sets)) return;
  const sides = Array.isArray(manifest.sides) ? manifest.sides : undefined;
  preview.sets.forEach((set: unknown, index) => {
    if (!isRecord(set)) return;
    if (sides && isSide(set.side) && !sides.includes(set.side)) {
      ctx.addIssue({
        code: 'custom',
        path: ['catalog_preview', 'sets', index, 'side'],
        message: `${describeValue(set.side)} is not in sides (${sides.join(', ')}); use a filmed side`,
      });
    }
    if (blockOk && maxOk && isPositiveInt(set.reps)) {
      const problem = repsProblem(set.reps, block, max);
      if (problem)
        ctx.addIssue({ code: 'custom', path: ['catalog_preview', 'sets', index, 'reps'], message: problem });
    }
  });
}

export type ManifestParseResult = { ok: true; manifest: Manifest } | { ok: false; issues: FieldIssue[] };

/** Validates a manifest given as parsed JSON or as the file's text. */
export function parseManifest(input: unknown): ManifestParseResult {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return { ok: false, issues: [{ field: '(root)', message: `is not valid JSON (${detail})` }] };
    }
  }
  const result = manifestSchema.safeParse(value);
  return result.success
    ? { ok: true, manifest: result.data }
    : { ok: false, issues: toFieldIssues(result.error) };
}

/** Like parseManifest, but throws ManifestInvalidError naming `source` (a path or key) and every issue. */
export function assertManifest(input: unknown, source = 'manifest.json'): Manifest {
  const result = parseManifest(input);
  if (!result.ok) throw new ManifestInvalidError(result.issues, source);
  return result.manifest;
}

/**
 * S3 user metadata the ingest agent sets on a voice-over's object (`x-amz-meta-loudness-lufs`,
 * `x-amz-meta-true-peak-dbtp`) and the composer reads: its integrated loudness and true peak,
 * decimal strings such as "-23.4", always both.
 */
export const LOUDNESS_METADATA = { integrated: 'loudness-lufs', truePeak: 'true-peak-dbtp' } as const;
