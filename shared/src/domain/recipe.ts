import { z } from 'zod';
import { describeValue, type FieldIssue } from './errors.js';
import type { Manifest } from './manifest.js';
import { isValidLanguage, isValidSlug, type Variants } from './naming.js';
import {
  expected,
  isRecord,
  languageSchema,
  repsProblem,
  seedSchema,
  setSchema,
  slugSchema,
  toFieldIssues,
} from './schema-parts.js';
import { isSide, repSlot, type Side, type Slot } from './types.js';

/** More sets than any prescription needs; bounds the work one compose request can ask for. */
export const MAX_SETS = 20;

export const recipeSchema = z.object(
  {
    exercise: slugSchema,
    language: languageSchema,
    sets: z
      .array(setSchema, { error: expected('a list of sets such as [{"side": "left", "reps": 10}]') })
      .min(1, { error: expected('at least one set') })
      .max(MAX_SETS, { error: expected(`at most ${MAX_SETS} sets`) }),
    seed: seedSchema,
  },
  { error: expected('a recipe object {"exercise", "language", "sets", "seed"}') },
);

export type Recipe = z.output<typeof recipeSchema>;

export type RecipeValidation = { ok: true; recipe: Recipe } | { ok: false; reasons: FieldIssue[] };

/**
 * The slots a render of these sets fills, each once, in timeline order of first use:
 * intro, the rep slot of each side, pauza (only between sets), outro.
 */
export function requiredSlots(sets: readonly { side: Side }[]): Slot[] {
  return slotsFor(
    sets.map((set) => set.side),
    sets.length,
  );
}

function slotsFor(sides: readonly Side[], setCount: number): Slot[] {
  const slots: Slot[] = ['intro'];
  for (const side of sides) {
    const slot = repSlot(side);
    if (!slots.includes(slot)) slots.push(slot);
  }
  if (setCount > 1) slots.push('pauza');
  slots.push('outro');
  return slots;
}

/**
 * Checks a recipe's shape and whether this bundle can render it, reporting every reason at once:
 * shape errors, reps outside the manifest's rules, a language or side the exercise does not offer,
 * and any needed slot without a video or voice-over variant.
 */
export function validateRecipe(input: unknown, manifest: Manifest, variants: Variants): RecipeValidation {
  const parsed = recipeSchema.safeParse(input);
  const reasons: FieldIssue[] = parsed.success ? [] : toFieldIssues(parsed.error);
  // Cross-checks read the raw input so a bad seed does not hide a missing voice-over.
  const raw = isRecord(input) ? input : {};
  const add = (field: string, message: string) => {
    if (!reasons.some((r) => r.field === field && r.message === message)) reasons.push({ field, message });
  };

  if (isValidSlug(raw.exercise) && raw.exercise !== manifest.exercise) {
    add(
      'exercise',
      `${describeValue(raw.exercise)} does not match the bundle's manifest ("${manifest.exercise}")`,
    );
  }
  const language = isValidLanguage(raw.language) ? raw.language : undefined;
  const languageOffered = language !== undefined && manifest.languages.includes(language);
  if (language !== undefined && !languageOffered) {
    add(
      'language',
      `"${language}" is not offered by this exercise; use one of ${manifest.languages.join(', ')}`,
    );
  }

  const sets = Array.isArray(raw.sets) ? raw.sets : [];
  const usedSides: Side[] = [];
  const firstSetOfSide = new Map<Side, number>();
  sets.forEach((set: unknown, index) => {
    if (!isRecord(set)) return;
    if (isSide(set.side)) {
      if (!manifest.sides.includes(set.side)) {
        add(
          `sets.${index}.side`,
          `"${set.side}" is not filmed for this exercise; use one of ${manifest.sides.join(', ')}`,
        );
      } else if (!firstSetOfSide.has(set.side)) {
        firstSetOfSide.set(set.side, index);
      }
      usedSides.push(set.side);
    }
    if (typeof set.reps === 'number' && Number.isInteger(set.reps) && set.reps > 0) {
      const problem = repsProblem(set.reps, manifest.reps_per_video_block, manifest.counts_per_audio_master);
      if (problem) add(`sets.${index}.reps`, problem);
    }
  });

  if (sets.length > 0) {
    // Slots of sides the manifest lacks were reported above; their files are not the problem.
    const sides = usedSides.filter((side) => manifest.sides.includes(side));
    for (const slot of slotsFor(sides, sets.length)) {
      const field = slotField(slot, firstSetOfSide);
      if ((variants.video[slot]?.length ?? 0) === 0) {
        add(field, `the bundle has no video for slot "${slot}"; add ${slot}-video-1.mp4`);
      }
      if (languageOffered && (variants.voiceOver[language]?.[slot]?.length ?? 0) === 0) {
        add(
          'language',
          `the bundle has no "${language}" voice-over for slot "${slot}"; add audio/${language}/${slot}-vo-1.mp3`,
        );
      }
    }
  }

  if (!parsed.success || reasons.length > 0) return { ok: false, reasons };
  return { ok: true, recipe: parsed.data };
}

function slotField(slot: Slot, firstSetOfSide: Map<Side, number>): string {
  if (slot === 'pauza') return 'sets';
  if (slot === 'intro' || slot === 'outro') return 'exercise';
  const side = slot.slice('rep-'.length) as Side;
  return `sets.${firstSetOfSide.get(side) ?? 0}.side`;
}

/** Seed of the default catalog preview (the platform's catalog convention). */
export const DEFAULT_CATALOG_PREVIEW_SEED = 1;

/**
 * The catalog preview of a language: the manifest's `catalog_preview`, else one block per filmed side
 * (left 5 + right 5 reps with the default block), seed 1.
 */
export function catalogPreviewRecipe(manifest: Manifest, language: string): Recipe {
  const preview = manifest.catalog_preview;
  return {
    exercise: manifest.exercise,
    language,
    sets: preview
      ? preview.sets.map((set) => ({ side: set.side, reps: set.reps }))
      : manifest.sides.map((side) => ({ side, reps: manifest.reps_per_video_block })),
    seed: preview?.seed ?? DEFAULT_CATALOG_PREVIEW_SEED,
  };
}
