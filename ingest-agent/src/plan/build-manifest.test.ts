import { describe, expect, it } from 'vitest';
import { agentConfigSchema } from '../rules/agent-config.js';
import { buildManifest, manifestRefusals } from './build-manifest.js';
import { englishReason } from './refusal.js';

const config = agentConfigSchema.parse({});
const base = { slug: 'detensionari-lombare', sides: ['left', 'right'] as const, languages: ['ro'], config };

describe('buildManifest', () => {
  it('builds the manifest from config defaults and the delivered files', () => {
    expect(buildManifest({ ...base, sides: [...base.sides] })).toEqual({
      ok: true,
      manifest: {
        exercise: 'detensionari-lombare',
        reps_per_video_block: 5,
        counts_per_audio_master: 20,
        sides: ['left', 'right'],
        languages: ['ro'],
      },
    });
  });

  it('lets every field of a delivered manifest win and keeps its extra known fields', () => {
    const result = buildManifest({
      ...base,
      sides: ['left'],
      deliveredManifest: {
        exercise: 'detensionari-lombare',
        title: 'Detensionări lombare',
        sides: ['left', 'right'],
        languages: ['ro', 'en'],
        reps_per_video_block: 10,
      },
    });
    expect(result).toMatchObject({
      ok: true,
      manifest: {
        title: 'Detensionări lombare',
        sides: ['left', 'right'],
        languages: ['ro', 'en'],
        reps_per_video_block: 10,
        counts_per_audio_master: 20,
      },
    });
  });

  it('derives the sides from the rep files found, bilateral included', () => {
    const result = buildManifest({ ...base, sides: ['bilateral'] });
    expect(result.ok && result.manifest.sides).toEqual(['bilateral']);
  });

  it('falls back to the schema default sides when no rep file was delivered', () => {
    const result = buildManifest({ ...base, sides: [] });
    expect(result.ok && result.manifest.sides).toEqual(['left', 'right']);
  });

  it('takes languages from the voice-over found, else manifestDefaults.languages, else defaultLanguage', () => {
    const found = buildManifest({ ...base, sides: [], languages: ['en', 'ro'] });
    expect(found.ok && found.manifest.languages).toEqual(['en', 'ro']);
    const configured = buildManifest({
      ...base,
      sides: [],
      languages: [],
      config: agentConfigSchema.parse({ manifestDefaults: { languages: ['ro', 'en'] } }),
    });
    expect(configured.ok && configured.manifest.languages).toEqual(['ro', 'en']);
    const fallback = buildManifest({
      ...base,
      sides: [],
      languages: [],
      config: agentConfigSchema.parse({ defaultLanguage: 'pt-BR' }),
    });
    expect(fallback.ok && fallback.manifest.languages).toEqual(['pt-BR']);
  });

  it('uses the config block sizes', () => {
    const result = buildManifest({
      ...base,
      sides: [],
      config: agentConfigSchema.parse({
        manifestDefaults: { reps_per_video_block: 4, counts_per_audio_master: 24 },
      }),
    });
    expect(result).toMatchObject({
      ok: true,
      manifest: { reps_per_video_block: 4, counts_per_audio_master: 24 },
    });
  });

  it('reports every problem of a delivered manifest with its field', () => {
    const result = buildManifest({
      ...base,
      sides: [],
      deliveredManifest: { sides: ['up'], counts_per_audio_master: 12 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => issue.field).sort()).toEqual(['counts_per_audio_master', 'sides.0']);
    expect(result.deliveredFields).toEqual(['sides', 'counts_per_audio_master']);
  });

  it('refuses a delivered manifest that is not an object', () => {
    for (const deliveredManifest of [['x'], 'x', null, 3]) {
      const result = buildManifest({ ...base, sides: [], deliveredManifest });
      expect(result).toMatchObject({ ok: false, issues: [{ field: '(root)' }] });
    }
  });
});

describe('manifestRefusals', () => {
  it('points delivered fields at manifest.json and inferred ones at the agent config', () => {
    const refusals = manifestRefusals(
      [
        { field: 'sides.0', message: 'expected one of "left", "right", "bilateral", got "up"' },
        {
          field: 'counts_per_audio_master',
          message: 'expected a multiple of reps_per_video_block (5), got 12',
        },
      ],
      ['sides'],
    );
    expect(refusals.map(englishReason)).toEqual([
      {
        file: 'manifest.json',
        problem: 'sides.0: expected one of "left", "right", "bilateral", got "up"',
        fix: 'Correct this field in manifest.json, or remove it to use the default',
      },
      {
        problem:
          'the manifest built for this exercise is invalid: counts_per_audio_master: expected a multiple of reps_per_video_block (5), got 12',
        fix: 'Correct manifestDefaults in the agent config, or set this field in a manifest.json in the folder',
      },
    ]);
  });
});
