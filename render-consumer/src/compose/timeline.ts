import {
  chooseVariants,
  createPrng,
  type FramingSlot,
  type Manifest,
  type Recipe,
  RecipeInvalidError,
  repSlot,
  type Side,
  type Slot,
  type Variants,
  videoFileName,
  voiceOverPath,
} from '@exercise-pipeline/shared';

/** A chosen file: its key relative to the bundle root and the variant number in its name. */
export interface ClipChoice {
  key: string;
  variant: number;
}

export interface FramingSegmentPlan {
  kind: 'framing';
  slot: FramingSlot;
  video: ClipChoice;
  /** `audio/{lang}/{slot}-vo-{n}.mp3`, fitted to the video's length. */
  voiceOver: ClipChoice;
}

export interface SetSegmentPlan {
  kind: 'set';
  /** Index of the set in the recipe. */
  setIndex: number;
  side: Side;
  reps: number;
  /** reps / reps_per_video_block rep videos, played back to back. */
  blocks: ClipChoice[];
  /** The counting master `audio/{lang}/rep-{side}-vo-{n}.mp3`; its first (set length) seconds are used. */
  voiceOver: ClipChoice;
}

export type SegmentPlan = FramingSegmentPlan | SetSegmentPlan;

export interface TimelinePlan {
  /** The PRNG seed every choice came from: `${recipeHash}:${assetVersion}`. */
  choiceSeed: string;
  segments: SegmentPlan[];
}

export interface PlanTimelineInput {
  manifest: Manifest;
  variants: Variants;
  /** A recipe that passed validateRecipe against this manifest and these variants. */
  recipe: Recipe;
  recipeHash: string;
  assetVersion: number;
}

/**
 * Decides which variant fills every slot: intro, then each set (separated by pauza), then outro.
 * The choices depend only on the recipe hash (which covers the seed), the asset version and the
 * variant pools, and they are drawn in timeline order so adding a set never reshuffles earlier ones.
 */
export function planTimeline(input: PlanTimelineInput): TimelinePlan {
  const { manifest, variants, recipe } = input;
  const choiceSeed = `${input.recipeHash}:${input.assetVersion}`;
  const rng = createPrng(choiceSeed);
  const language = recipe.language;
  const videoPool = (slot: Slot) => requirePool(variants.video[slot], `no video variant for slot "${slot}"`);
  const voicePool = (slot: Slot) =>
    requirePool(
      variants.voiceOver[language]?.[slot],
      `no "${language}" voice-over variant for slot "${slot}"`,
    );
  let lastPauza: number | undefined;

  const framing = (slot: FramingSlot): FramingSegmentPlan => {
    // Pauzas are the only framing slot that plays more than once; vary them when the pool allows.
    const [variant] = chooseVariants(videoPool(slot), 1, rng, slot === 'pauza' ? lastPauza : undefined);
    if (slot === 'pauza') lastPauza = variant;
    const voice = matchingVoiceOver(voicePool(slot), variant!, rng);
    return {
      kind: 'framing',
      slot,
      video: { key: videoFileName(slot, variant!), variant: variant! },
      voiceOver: { key: voiceOverPath(language, slot, voice), variant: voice },
    };
  };

  const segments: SegmentPlan[] = [framing('intro')];
  recipe.sets.forEach((set, setIndex) => {
    if (setIndex > 0) segments.push(framing('pauza'));
    const slot = repSlot(set.side);
    const blockCount = set.reps / manifest.reps_per_video_block;
    if (!Number.isInteger(blockCount) || blockCount < 1) {
      throw new RecipeInvalidError([
        {
          field: `sets.${setIndex}.reps`,
          message: `${set.reps} is not a whole number of ${manifest.reps_per_video_block}-rep blocks`,
        },
      ]);
    }
    const blocks = chooseVariants(videoPool(slot), blockCount, rng).map((variant) => ({
      key: videoFileName(slot, variant),
      variant,
    }));
    const [voice] = chooseVariants(voicePool(slot), 1, rng);
    segments.push({
      kind: 'set',
      setIndex,
      side: set.side,
      reps: set.reps,
      blocks,
      voiceOver: { key: voiceOverPath(language, slot, voice!), variant: voice! },
    });
  });
  segments.push(framing('outro'));
  return { choiceSeed, segments };
}

/**
 * A framing voice-over was extracted from the framing video of the same number, so that pairing
 * is kept when the language has it; otherwise any take of the slot will do.
 */
function matchingVoiceOver(pool: readonly number[], videoVariant: number, rng: () => number): number {
  if (pool.includes(videoVariant)) return videoVariant;
  return chooseVariants(pool, 1, rng)[0]!;
}

function requirePool(pool: readonly number[] | undefined, problem: string): readonly number[] {
  if (pool && pool.length > 0) return pool;
  // validateRecipe refuses such recipes first; this guards callers that skipped it.
  throw new RecipeInvalidError([
    { field: 'recipe', message: `${problem}; validate the recipe against the bundle` },
  ]);
}

/** Every video key the plan plays, once each, in first-use order: the files to probe. */
export function plannedVideoKeys(plan: TimelinePlan): string[] {
  const keys = plan.segments.flatMap((segment) =>
    segment.kind === 'framing' ? [segment.video.key] : segment.blocks.map((block) => block.key),
  );
  return [...new Set(keys)];
}
