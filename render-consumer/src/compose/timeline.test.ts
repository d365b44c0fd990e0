import {
  assertManifest,
  discoverVariants,
  type Manifest,
  type Recipe,
  RecipeInvalidError,
  recipeHash,
  type Variants,
} from '@exercise-pipeline/shared';
import { leftRightRecipe } from '@exercise-pipeline/test/fixtures';
import { describe, expect, it } from 'vitest';
import { plannedVideoKeys, planTimeline, type SetSegmentPlan, type TimelinePlan } from './timeline.js';
import { onFrameGrid, summarizeSegments, timeTimeline } from './timing.js';

const manifest: Manifest = assertManifest({ exercise: 'squat-wall', languages: ['ro', 'en'] });

/** A bundle listing with `count` variants of each video slot and of each ro voice-over slot. */
function bundle(counts: Record<string, number>, voCounts: Record<string, number> = counts): Variants {
  const keys: string[] = [];
  for (const [slot, count] of Object.entries(counts)) {
    for (let n = 1; n <= count; n++) keys.push(`${slot}-video-${n}.mp4`);
  }
  for (const [slot, count] of Object.entries(voCounts)) {
    for (let n = 1; n <= count; n++) keys.push(`audio/ro/${slot}-vo-${n}.mp3`);
  }
  return discoverVariants(keys);
}

const three = bundle({ intro: 3, pauza: 3, outro: 3, 'rep-left': 3, 'rep-right': 3 });

function plan(recipe: Partial<Recipe>, variants: Variants = three, assetVersion = 1): TimelinePlan {
  const full: Recipe = { ...baseRecipe(), ...recipe };
  return planTimeline({ manifest, variants, recipe: full, recipeHash: recipeHash(full), assetVersion });
}

const sets = (timeline: TimelinePlan) =>
  timeline.segments.filter((s): s is SetSegmentPlan => s.kind === 'set');

describe('planTimeline', () => {
  it('orders intro, set, pauza, set, pauza, set, outro', () => {
    const timeline = plan({
      sets: [
        { side: 'left', reps: 5 },
        { side: 'right', reps: 10 },
        { side: 'left', reps: 20 },
      ],
    });
    expect(timeline.segments.map((s) => (s.kind === 'framing' ? s.slot : `set-${s.side}`))).toEqual([
      'intro',
      'set-left',
      'pauza',
      'set-right',
      'pauza',
      'set-left',
      'outro',
    ]);
  });

  it('has no pauza with a single set', () => {
    const timeline = plan({ sets: [{ side: 'right', reps: 5 }] });
    expect(timeline.segments.map((s) => (s.kind === 'framing' ? s.slot : 'set'))).toEqual([
      'intro',
      'set',
      'outro',
    ]);
  });

  it('cuts each set into reps / reps_per_video_block blocks of its side', () => {
    const timeline = plan({
      sets: [
        { side: 'left', reps: 5 },
        { side: 'right', reps: 10 },
        { side: 'left', reps: 20 },
      ],
    });
    expect(sets(timeline).map((s) => s.blocks.length)).toEqual([1, 2, 4]);
    for (const set of sets(timeline)) {
      for (const block of set.blocks) expect(block.key).toBe(`rep-${set.side}-video-${block.variant}.mp4`);
      expect(set.voiceOver.key).toBe(`audio/ro/rep-${set.side}-vo-${set.voiceOver.variant}.mp3`);
    }
  });

  it('gives the same choices for the same recipe, seed and asset version', () => {
    expect(plan({ seed: 42 })).toEqual(plan({ seed: 42 }));
  });

  it('gives different choices for different seeds or asset versions', () => {
    const long = {
      sets: [
        { side: 'left' as const, reps: 20 },
        { side: 'right' as const, reps: 20 },
      ],
    };
    const variantsOf = (timeline: TimelinePlan) =>
      timeline.segments.map((s) =>
        s.kind === 'framing' ? [s.video.variant] : s.blocks.map((b) => b.variant),
      );
    const base = variantsOf(plan({ ...long, seed: 1 }));
    expect(variantsOf(plan({ ...long, seed: 2 }))).not.toEqual(base);
    expect(variantsOf(plan({ ...long, seed: 1 }, three, 2))).not.toEqual(base);
    expect(plan({ seed: 1 }).choiceSeed).toBe(`${recipeHash({ ...baseRecipe(), seed: 1 })}:1`);
  });

  it('never plays the same block variant twice in a row when the pool has two or more', () => {
    const two = bundle({ intro: 1, pauza: 2, outro: 1, 'rep-left': 2, 'rep-right': 2 });
    for (let seed = 0; seed < 40; seed++) {
      const timeline = plan(
        {
          seed,
          sets: [
            { side: 'left', reps: 20 },
            { side: 'right', reps: 20 },
          ],
        },
        two,
      );
      for (const set of sets(timeline)) {
        set.blocks.slice(1).forEach((block, i) => {
          expect(block.variant).not.toBe(set.blocks[i]!.variant);
        });
      }
    }
  });

  it('repeats the only variant of a slot with a pool of one', () => {
    const one = bundle({ intro: 1, pauza: 1, outro: 1, 'rep-left': 1, 'rep-right': 1 });
    const timeline = plan({ sets: [{ side: 'left', reps: 15 }] }, one);
    expect(sets(timeline)[0]!.blocks.map((b) => b.key)).toEqual([
      'rep-left-video-1.mp4',
      'rep-left-video-1.mp4',
      'rep-left-video-1.mp4',
    ]);
  });

  it('pairs a framing video with the voice-over of the same number when the language has it', () => {
    for (let seed = 0; seed < 20; seed++) {
      for (const segment of plan({ seed }).segments) {
        if (segment.kind === 'framing') {
          expect(segment.voiceOver.variant).toBe(segment.video.variant);
          expect(segment.voiceOver.key).toBe(`audio/ro/${segment.slot}-vo-${segment.video.variant}.mp3`);
        }
      }
    }
  });

  it('takes a seeded voice-over from the pool when the matching number is missing', () => {
    // Videos 1..3 but only voice-over 3: the pairing exists only for video 3.
    const variants = bundle(
      { intro: 3, pauza: 3, outro: 3, 'rep-left': 3, 'rep-right': 3 },
      { intro: 1, pauza: 1, outro: 1, 'rep-left': 1, 'rep-right': 1 },
    );
    variants.voiceOver.ro!.intro = [3];
    const seen = new Set<number>();
    for (let seed = 0; seed < 30; seed++) {
      const intro = plan({ seed }, variants).segments[0]!;
      if (intro.kind !== 'framing') throw new Error('first segment must be the intro');
      seen.add(intro.video.variant);
      expect(intro.voiceOver.key).toBe('audio/ro/intro-vo-3.mp3');
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('refuses a plan that needs a slot with no variants', () => {
    const noPauza = bundle({ intro: 1, outro: 1, 'rep-left': 1, 'rep-right': 1 });
    expect(() => plan({}, noPauza)).toThrow(RecipeInvalidError);
    expect(() => plan({}, noPauza)).toThrow(/slot "pauza"/);
  });

  it('lists each played video once for probing', () => {
    const one = bundle({ intro: 1, pauza: 1, outro: 1, 'rep-left': 1, 'rep-right': 1 });
    expect(plannedVideoKeys(plan({}, one))).toEqual([
      'intro-video-1.mp4',
      'rep-left-video-1.mp4',
      'pauza-video-1.mp4',
      'rep-right-video-1.mp4',
      'outro-video-1.mp4',
    ]);
  });
});

describe('timeTimeline', () => {
  it('lays segments back to back with a set lasting as long as its blocks', () => {
    const one = bundle({ intro: 1, pauza: 1, outro: 1, 'rep-left': 1, 'rep-right': 1 });
    const seconds: Record<string, number> = {
      'intro-video-1.mp4': 2,
      'rep-left-video-1.mp4': 1.04,
      'pauza-video-1.mp4': 3,
      'rep-right-video-1.mp4': 1.5,
      'outro-video-1.mp4': 2.5,
    };
    const timeline = timeTimeline(plan({}, one), (key) => seconds[key]!);
    expect(timeline.segments.map((s) => [s.startSeconds, s.durationSeconds])).toEqual([
      [0, 2],
      [2, 1.04],
      [3.04, 3],
      [6.04, 3],
      [9.04, 2.5],
    ]);
    expect(timeline.totalSeconds).toBeCloseTo(11.54, 9);
    const summary = summarizeSegments(timeline);
    expect(summary[3]).toEqual({
      kind: 'set',
      slot: 'rep-right',
      side: 'right',
      reps: 10,
      startSeconds: 6.04,
      durationSeconds: 3,
      videos: ['rep-right-video-1.mp4', 'rep-right-video-1.mp4'],
      voiceOver: 'audio/ro/rep-right-vo-1.mp3',
    });
  });

  it('refuses a clip without a usable duration', () => {
    expect(() => timeTimeline(plan({}), () => 0)).toThrow(/no usable duration/);
  });

  it('rounds clip lengths to whole frames for a re-encode', () => {
    expect(onFrameGrid(1.0333, 25)).toBe(1.04);
    expect(onFrameGrid(0.001, 25)).toBe(0.04);
    expect(onFrameGrid(2, 30)).toBe(2);
  });
});

function baseRecipe(): Recipe {
  return leftRightRecipe('squat-wall', [5, 10], 7);
}
