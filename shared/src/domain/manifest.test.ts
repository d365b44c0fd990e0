import { describe, expect, it } from 'vitest';
import { ManifestInvalidError } from './errors.js';
import { assertManifest, parseManifest } from './manifest.js';

function issuesOf(input: unknown) {
  const result = parseManifest(input);
  if (result.ok) throw new Error('expected the manifest to be refused');
  return result.issues;
}

function issueText(input: unknown): string[] {
  return issuesOf(input).map((i) => `${i.field}: ${i.message}`);
}

describe('parseManifest', () => {
  it('fills the documented defaults', () => {
    const result = parseManifest({ exercise: 'wall-squat', languages: ['ro'] });
    expect(result).toEqual({
      ok: true,
      manifest: {
        exercise: 'wall-squat',
        languages: ['ro'],
        reps_per_video_block: 5,
        counts_per_audio_master: 20,
        sides: ['left', 'right'],
      },
    });
  });

  it('keeps explicit values and the optional fields', () => {
    const input = {
      exercise: 'bridge',
      title: '  Bridge  ',
      reps_per_video_block: 4,
      counts_per_audio_master: 12,
      sides: ['bilateral'],
      languages: ['ro', 'pt-BR'],
      catalog_preview: { sets: [{ side: 'bilateral', reps: 8 }], seed: 3 },
      extra_field_from_newer_agent: true,
    };
    const result = parseManifest(input);
    expect(result).toEqual({
      ok: true,
      manifest: {
        exercise: 'bridge',
        title: 'Bridge',
        reps_per_video_block: 4,
        counts_per_audio_master: 12,
        sides: ['bilateral'],
        languages: ['ro', 'pt-BR'],
        catalog_preview: { sets: [{ side: 'bilateral', reps: 8 }], seed: 3 },
      },
    });
  });

  it('does not share the default sides between manifests', () => {
    const a = parseManifest({ exercise: 'a', languages: ['ro'] });
    const b = parseManifest({ exercise: 'b', languages: ['ro'] });
    if (!a.ok || !b.ok) throw new Error('both manifests are valid');
    a.manifest.sides.push('bilateral');
    expect(b.manifest.sides).toEqual(['left', 'right']);
  });

  it('accepts the file text too', () => {
    const result = parseManifest('{"exercise":"bridge","languages":["en"]}');
    expect(result.ok && result.manifest.exercise).toBe('bridge');
  });

  it('names the field, what it expects and what it got', () => {
    expect(issueText({ exercise: 'bridge', languages: ['ro'], reps_per_video_block: 'five' })).toEqual([
      'reps_per_video_block: expected a positive whole number, got "five"',
    ]);
    expect(issueText({ exercise: 'bridge', languages: ['ro'], reps_per_video_block: 2.5 })).toEqual([
      'reps_per_video_block: expected a positive whole number, got 2.5',
    ]);
    expect(issueText({ exercise: 'bridge', languages: ['ro'], counts_per_audio_master: 0 })).toEqual([
      'counts_per_audio_master: expected a positive whole number, got 0',
    ]);
  });

  it('reports every problem of the file at once, with dotted paths', () => {
    const issues = issuesOf({
      exercise: 'Wall Squat',
      reps_per_video_block: -5,
      sides: ['left', 'up', 'left'],
      languages: [],
      catalog_preview: { sets: [{ side: 'left', reps: 'ten' }], seed: -1 },
    });
    expect(issues.map((i) => i.field).sort()).toEqual(
      [
        'catalog_preview.seed',
        'catalog_preview.sets.0.reps',
        'exercise',
        'languages',
        'reps_per_video_block',
        'sides.1',
      ].sort(),
    );
    expect(issues.find((i) => i.field === 'exercise')?.message).toBe(
      'expected a slug of lowercase letters and digits in words joined by single hyphens, e.g. "squat-wall", got "Wall Squat"',
    );
    expect(issues.find((i) => i.field === 'sides.1')?.message).toBe(
      'expected one of "left", "right", "bilateral", got "up"',
    );
  });

  it('says which required field is missing', () => {
    expect(issueText({})).toEqual([
      'exercise: is required: expected an exercise slug',
      'languages: is required: expected a list of language codes such as "ro"',
    ]);
  });

  it('refuses a non-object and text that is not JSON', () => {
    expect(issueText([])).toEqual([
      '(root): expected a JSON object with "exercise" and "languages", got an array of 0',
    ]);
    expect(issuesOf('{"exercise": ')[0]?.field).toBe('(root)');
    expect(issuesOf('{"exercise": ')[0]?.message).toMatch(/^is not valid JSON/);
  });

  it('refuses duplicates, naming the second occurrence', () => {
    expect(issueText({ exercise: 'a', languages: ['ro', 'en', 'ro'], sides: ['right', 'right'] })).toEqual([
      'sides.1: "right" is listed twice; list it once',
      'languages.2: "ro" is listed twice; list it once',
    ]);
  });

  it.each([
    [{ languages: ['RO'] }, 'languages.0'],
    [{ languages: ['ro/..'] }, 'languages.0'],
    [{ languages: 'ro' }, 'languages'],
    [{ sides: [] }, 'sides'],
    [{ title: '   ' }, 'title'],
    [{ exercise: 'x'.repeat(64) }, 'exercise'],
    [{ catalog_preview: { sets: [], seed: 0 } }, 'catalog_preview.sets'],
    [{ catalog_preview: 'yes' }, 'catalog_preview'],
  ])('refuses %j at %s', (patch, field) => {
    expect(issuesOf({ exercise: 'a', languages: ['ro'], ...patch }).map((i) => i.field)).toEqual([field]);
  });

  it('requires counts_per_audio_master to be a multiple of reps_per_video_block', () => {
    expect(issueText({ exercise: 'a', languages: ['ro'], reps_per_video_block: 6 })).toEqual([
      'counts_per_audio_master: expected a multiple of reps_per_video_block (6), got 20',
    ]);
    expect(parseManifest({ exercise: 'a', languages: ['ro'], reps_per_video_block: 4 }).ok).toBe(true);
  });

  it('checks the catalog preview against the manifest', () => {
    const issues = issueText({
      exercise: 'a',
      languages: ['ro'],
      catalog_preview: {
        sets: [
          { side: 'bilateral', reps: 5 },
          { side: 'left', reps: 7 },
          { side: 'right', reps: 25 },
        ],
        seed: 0,
      },
    });
    expect(issues).toEqual([
      'catalog_preview.sets.0.side: "bilateral" is not in sides (left, right); use a filmed side',
      'catalog_preview.sets.1.reps: 7 is not a multiple of reps_per_video_block (5); use 5, 10, 15 or 20',
      'catalog_preview.sets.2.reps: 25 is above counts_per_audio_master (20); use 5, 10, 15 or 20',
    ]);
  });
});

describe('assertManifest', () => {
  it('returns the manifest or throws MANIFEST_INVALID naming the source and the issues', () => {
    expect(assertManifest({ exercise: 'a', languages: ['ro'] }).exercise).toBe('a');
    let caught: unknown;
    try {
      assertManifest(
        { exercise: 'a', languages: ['ro'], reps_per_video_block: 'five' },
        'drop/a/manifest.json',
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ManifestInvalidError);
    const error = caught as ManifestInvalidError;
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.issues).toHaveLength(1);
    expect(error.message).toBe(
      'drop/a/manifest.json is invalid: reps_per_video_block: expected a positive whole number, got "five"',
    );
  });
});
