import { z } from 'zod';
import { describeValue, type FieldIssue } from './errors.js';
import { LANGUAGE_PATTERN, MAX_SLUG_LENGTH, SLUG_PATTERN } from './naming.js';
import { SIDES } from './types.js';

/**
 * Zod error callback giving one consistent message shape, `expected <what>, got <value>`, so every
 * issue tells the reader what to write instead.
 */
export function expected(what: string) {
  return (issue: { input?: unknown }): string =>
    issue.input === undefined
      ? `is required: expected ${what}`
      : `expected ${what}, got ${describeValue(issue.input)}`;
}

export function toFieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const field = [prefix, path].filter((part) => part !== '').join('.');
    return { field: field === '' ? '(root)' : field, message: issue.message };
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function positiveInt(what = 'a positive whole number') {
  const error = expected(what);
  return z.int({ error }).positive({ error });
}

export const slugSchema = z
  .string({ error: expected('an exercise slug') })
  .max(MAX_SLUG_LENGTH, { error: expected(`a slug of at most ${MAX_SLUG_LENGTH} characters`) })
  .regex(SLUG_PATTERN, {
    error: expected(
      'a slug of lowercase letters and digits in words joined by single hyphens, e.g. "squat-wall"',
    ),
  });

export const languageSchema = z
  .string({ error: expected('a language code such as "ro", "en" or "pt-BR"') })
  .regex(LANGUAGE_PATTERN, { error: expected('a language code such as "ro", "en" or "pt-BR"') });

export const sideSchema = z.enum(SIDES, {
  error: expected(`one of ${SIDES.map((s) => `"${s}"`).join(', ')}`),
});

export const seedSchema = z
  .int({ error: expected('a whole number >= 0') })
  .min(0, { error: expected('a whole number >= 0') });

export const setSchema = z.object(
  { side: sideSchema, reps: positiveInt('a positive whole number of repetitions') },
  { error: expected('a set such as {"side": "left", "reps": 10}') },
);

/** A non-empty list whose entries are unique; a duplicate is reported at its own index. */
export function uniqueList<T extends z.ZodType<string>>(item: T, what: string) {
  return z
    .array(item, { error: expected(`a list of ${what}`) })
    .min(1, { error: expected(`at least one of ${what}`) })
    .superRefine((values, ctx) => {
      values.forEach((value, index) => {
        if (values.indexOf(value) !== index) {
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: `${describeValue(value)} is listed twice; list it once`,
          });
        }
      });
    });
}

/**
 * Why a set's repetition count is not renderable, or null. Sets are cut from video blocks of
 * `block` reps, and a set cannot outlast one counting voice-over master (`max` counts).
 */
export function repsProblem(reps: number, block: number, max: number): string | null {
  const fix = `use ${allowedReps(block, max)}`;
  if (reps < block) return `${reps} is below reps_per_video_block (${block}); ${fix}`;
  if (reps > max) return `${reps} is above counts_per_audio_master (${max}); ${fix}`;
  if (reps % block !== 0) return `${reps} is not a multiple of reps_per_video_block (${block}); ${fix}`;
  return null;
}

function allowedReps(block: number, max: number): string {
  const count = Math.floor(max / block);
  if (count < 1) return `nothing: counts_per_audio_master (${max}) is below reps_per_video_block (${block})`;
  if (count > 8) return `a multiple of ${block} from ${block} to ${count * block}`;
  const values = Array.from({ length: count }, (_, i) => (i + 1) * block);
  return values.length === 1 ? `${values[0]}` : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}
