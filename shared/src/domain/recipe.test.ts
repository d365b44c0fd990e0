import { leftRightRecipe } from '@exercise-pipeline/test/fixtures';
import { describe, expect, it } from 'vitest';
import { assertManifest, type Manifest } from './manifest.js';
import { discoverVariants, type Variants } from './naming.js';
import { catalogPreviewRecipe, requiredSlots, validateRecipe } from './recipe.js';

const manifest: Manifest = assertManifest({ exercise: 'wall-squat', languages: ['ro', 'en'] });

const fullBundle: Variants = discoverVariants([
  'manifest.json',
  ...['intro', 'pauza', 'outro', 'rep-left', 'rep-right'].flatMap((slot) => [
    `${slot}-video-1.mp4`,
    `${slot}-video-2.mp4`,
    `audio/ro/${slot}-vo-1.mp3`,
    `audio/en/${slot}-vo-1.mp3`,
  ]),
]);

const good = leftRightRecipe('wall-squat', [10, 10], 7);

function reasonsOf(input: unknown, m: Manifest = manifest, v: Variants = fullBundle): string[] {
  const result = validateRecipe(input, m, v);
  if (result.ok) throw new Error('expected the recipe to be refused');
  return result.reasons.map((r) => `${r.field}: ${r.message}`);
}

describe('validateRecipe', () => {
  it('accepts a renderable recipe and returns only its own fields', () => {
    expect(validateRecipe({ ...good, note: 'x' }, manifest, fullBundle)).toEqual({ ok: true, recipe: good });
  });

  it.each([5, 10, 15, 20])('accepts %i reps', (reps) => {
    expect(validateRecipe({ ...good, sets: [{ side: 'left', reps }] }, manifest, fullBundle).ok).toBe(true);
  });

  it.each([
    [7, 'sets.0.reps: 7 is not a multiple of reps_per_video_block (5); use 5, 10, 15 or 20'],
    [3, 'sets.0.reps: 3 is below reps_per_video_block (5); use 5, 10, 15 or 20'],
    [25, 'sets.0.reps: 25 is above counts_per_audio_master (20); use 5, 10, 15 or 20'],
    [0, 'sets.0.reps: expected a positive whole number of repetitions, got 0'],
    [5.5, 'sets.0.reps: expected a positive whole number of repetitions, got 5.5'],
  ])('refuses %s reps', (reps, reason) => {
    expect(reasonsOf({ ...good, sets: [{ side: 'left', reps }] })).toEqual([reason]);
  });

  it('describes long allowed ranges instead of listing them', () => {
    const wide = assertManifest({ exercise: 'wall-squat', languages: ['ro'], reps_per_video_block: 2 });
    expect(reasonsOf({ ...good, sets: [{ side: 'left', reps: 3 }] }, wide)).toEqual([
      'sets.0.reps: 3 is not a multiple of reps_per_video_block (2); use a multiple of 2 from 2 to 20',
    ]);
  });

  it('refuses a language the manifest does not offer', () => {
    expect(reasonsOf({ ...good, language: 'de' })).toEqual([
      'language: "de" is not offered by this exercise; use one of ro, en',
    ]);
  });

  it('refuses a side the manifest does not list', () => {
    expect(reasonsOf({ ...good, sets: [{ side: 'bilateral', reps: 5 }] })).toEqual([
      'sets.0.side: "bilateral" is not filmed for this exercise; use one of left, right',
    ]);
  });

  it('refuses a recipe for another exercise', () => {
    expect(reasonsOf({ ...good, exercise: 'bridge' })).toEqual([
      'exercise: "bridge" does not match the bundle\'s manifest ("wall-squat")',
    ]);
  });

  it('names every slot without a video or voice-over variant', () => {
    const partial = discoverVariants([
      'intro-video-1.mp4',
      'outro-video-1.mp4',
      'rep-left-video-1.mp4',
      'audio/ro/intro-vo-1.mp3',
      'audio/ro/outro-vo-1.mp3',
      'audio/ro/pauza-vo-1.mp3',
      'audio/ro/rep-left-vo-1.mp3',
    ]);
    expect(reasonsOf(good, manifest, partial)).toEqual([
      'sets.1.side: the bundle has no video for slot "rep-right"; add rep-right-video-1.mp4',
      'language: the bundle has no "ro" voice-over for slot "rep-right"; add audio/ro/rep-right-vo-1.mp3',
      'sets: the bundle has no video for slot "pauza"; add pauza-video-1.mp4',
    ]);
    // One set needs no pauza, and a side used twice is reported once, at its first set.
    expect(validateRecipe({ ...good, sets: [{ side: 'left', reps: 5 }] }, manifest, partial).ok).toBe(true);
    expect(reasonsOf({ ...good, sets: [good.sets[1], good.sets[1]] }, manifest, partial)).toHaveLength(3);
  });

  it('refuses everything against an empty bundle, one reason per slot and medium', () => {
    const reasons = reasonsOf(good, manifest, discoverVariants([]));
    expect(reasons).toHaveLength(10);
    expect(reasons[0]).toBe('exercise: the bundle has no video for slot "intro"; add intro-video-1.mp4');
    expect(reasons).toContain(
      'language: the bundle has no "ro" voice-over for slot "outro"; add audio/ro/outro-vo-1.mp3',
    );
  });

  it('treats a voice-over of another language as missing', () => {
    const reasons = reasonsOf({ ...good, language: 'en' }, manifest, {
      video: fullBundle.video,
      voiceOver: { ro: fullBundle.voiceOver.ro ?? {} },
    });
    expect(reasons).toHaveLength(5);
    expect(reasons.every((r) => r.startsWith('language: the bundle has no "en" voice-over'))).toBe(true);
  });

  it('gives every reason at once, shape and bundle problems together', () => {
    const reasons = reasonsOf(
      {
        exercise: 'bridge',
        language: 'de',
        sets: [
          { side: 'left', reps: 7 },
          { side: 'bilateral', reps: 30 },
          { side: 'up', reps: 5 },
        ],
        seed: -1,
      },
      manifest,
      discoverVariants(['intro-video-1.mp4', 'outro-video-1.mp4']),
    );
    expect(reasons).toEqual([
      'sets.2.side: expected one of "left", "right", "bilateral", got "up"',
      'seed: expected a whole number >= 0, got -1',
      'exercise: "bridge" does not match the bundle\'s manifest ("wall-squat")',
      'language: "de" is not offered by this exercise; use one of ro, en',
      'sets.0.reps: 7 is not a multiple of reps_per_video_block (5); use 5, 10, 15 or 20',
      'sets.1.side: "bilateral" is not filmed for this exercise; use one of left, right',
      'sets.1.reps: 30 is above counts_per_audio_master (20); use 5, 10, 15 or 20',
      'sets.0.side: the bundle has no video for slot "rep-left"; add rep-left-video-1.mp4',
      'sets: the bundle has no video for slot "pauza"; add pauza-video-1.mp4',
    ]);
  });

  it.each([
    [null, '(root)'],
    ['recipe', '(root)'],
    [{ ...good, sets: [] }, 'sets'],
    [{ ...good, sets: 'left:5' }, 'sets'],
    [{ ...good, sets: Array.from({ length: 21 }, () => ({ side: 'left', reps: 5 })) }, 'sets'],
    [{ ...good, sets: [null] }, 'sets.0'],
    [{ ...good, seed: '7' }, 'seed'],
    [{ ...good, seed: 1.5 }, 'seed'],
    [{ ...good, language: 'RO' }, 'language'],
    [{ ...good, exercise: '../x' }, 'exercise'],
  ])('refuses the shape %j at %s', (input, field) => {
    const result = validateRecipe(input, manifest, fullBundle);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reasons.map((r) => r.field)).toContain(field);
  });

  it('reports missing fields as required', () => {
    expect(reasonsOf({})).toEqual([
      'exercise: is required: expected an exercise slug',
      'language: is required: expected a language code such as "ro", "en" or "pt-BR"',
      'sets: is required: expected a list of sets such as [{"side": "left", "reps": 10}]',
      'seed: is required: expected a whole number >= 0',
    ]);
  });
});

describe('requiredSlots', () => {
  it('lists intro, the rep slots of the sides used, pauza between sets, and outro', () => {
    expect(requiredSlots([{ side: 'left' }])).toEqual(['intro', 'rep-left', 'outro']);
    expect(requiredSlots([{ side: 'right' }, { side: 'left' }, { side: 'right' }])).toEqual([
      'intro',
      'rep-right',
      'rep-left',
      'pauza',
      'outro',
    ]);
  });
});

describe('catalogPreviewRecipe', () => {
  it('uses one block per filmed side with seed 1 by default', () => {
    expect(catalogPreviewRecipe(manifest, 'en')).toEqual(leftRightRecipe('wall-squat', [5, 5], 1, 'en'));
  });
  it("uses the manifest's catalog_preview when present, and the result validates", () => {
    const withPreview = assertManifest({
      exercise: 'wall-squat',
      languages: ['ro'],
      catalog_preview: { sets: [{ side: 'right', reps: 15 }], seed: 9 },
    });
    const recipe = catalogPreviewRecipe(withPreview, 'ro');
    expect(recipe).toEqual({
      exercise: 'wall-squat',
      language: 'ro',
      sets: [{ side: 'right', reps: 15 }],
      seed: 9,
    });
    expect(validateRecipe(recipe, withPreview, fullBundle).ok).toBe(true);
  });
});
