import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONVENTION_OBJECTS } from '@exercise-pipeline/test/fixtures';
import { describe, expect, it } from 'vitest';
import { type AgentConfigInput, agentConfigSchema, loadAgentConfig } from '../rules/agent-config.js';
import { type DeliveredFile, planRenames } from './plan-renames.js';
import { englishReason } from './refusal.js';

const EXAMPLE_PATH = fileURLToPath(new URL('../../config/agent.config.example.json', import.meta.url));
const defaults = agentConfigSchema.parse({});
const T = '001 Detensionari Lombare';

const TEAM_DELIVERY = [
  `${T} - Intro.mp4`,
  `${T} - Outro.mp4`,
  `${T} - Pauza.mp4`,
  `${T} 5 Stanga.mp4`,
  `${T} 5 Dreapta.mp4`,
  `${T} 1-20 Stanga.mp3`,
  `${T} 1-20 Dreapta.mp3`,
];

function files(...paths: string[]): DeliveredFile[] {
  return paths.map((relativePath) => ({ relativePath, size: 1000 }));
}

function config(input: AgentConfigInput = {}) {
  return agentConfigSchema.parse(input);
}

describe('planRenames on the team delivery with the shipped example config', () => {
  const example = loadAgentConfig(readFileSync(EXAMPLE_PATH, 'utf8'), EXAMPLE_PATH);
  const plan = planRenames(files(...TEAM_DELIVERY, 'manifest.json', '.DS_Store'), example);

  it('renames the seven files to exactly the convention names', () => {
    expect(plan.refusals).toEqual([]);
    expect(plan.renames.map((rename) => [rename.source, rename.target])).toEqual([
      ['001 Detensionari Lombare 1-20 Stanga.mp3', 'audio/ro/rep-left-vo-1.mp3'],
      ['001 Detensionari Lombare 1-20 Dreapta.mp3', 'audio/ro/rep-right-vo-1.mp3'],
      ['001 Detensionari Lombare - Intro.mp4', 'intro-video-1.mp4'],
      ['001 Detensionari Lombare - Outro.mp4', 'outro-video-1.mp4'],
      ['001 Detensionari Lombare - Pauza.mp4', 'pauza-video-1.mp4'],
      ['001 Detensionari Lombare 5 Stanga.mp4', 'rep-left-video-1.mp4'],
      ['001 Detensionari Lombare 5 Dreapta.mp4', 'rep-right-video-1.mp4'],
    ]);
    expect(plan.renames.every((rename) => !rename.convert && rename.size === 1000)).toBe(true);
  });

  it('extracts the three framing voice-overs from the framing videos', () => {
    expect(plan.extractions).toEqual([
      {
        source: `${T} - Intro.mp4`,
        target: 'audio/ro/intro-vo-1.mp3',
        slot: 'intro',
        variant: 1,
        language: 'ro',
      },
      {
        source: `${T} - Outro.mp4`,
        target: 'audio/ro/outro-vo-1.mp3',
        slot: 'outro',
        variant: 1,
        language: 'ro',
      },
      {
        source: `${T} - Pauza.mp4`,
        target: 'audio/ro/pauza-vo-1.mp3',
        slot: 'pauza',
        variant: 1,
        language: 'ro',
      },
    ]);
  });

  it('gives eleven bundle objects with the manifest', () => {
    const objects = [
      ...plan.renames.map((r) => r.target),
      ...plan.extractions.map((e) => e.target),
      'manifest.json',
    ];
    expect(objects.sort()).toEqual(CONVENTION_OBJECTS);
  });

  it('reports the delivered manifest, ignored junk, sides and languages', () => {
    expect(plan.manifestFile).toBe('manifest.json');
    expect(plan.ignored).toEqual(['.DS_Store']);
    expect(plan.sides).toEqual(['left', 'right']);
    expect(plan.languages).toEqual(['ro']);
  });
});

describe('planRenames', () => {
  it('maps decomposed and uppercase names, variants and nested files by their base name', () => {
    const plan = planRenames(
      files(
        `video/${T} 5 Sta\u0302nga.MP4`,
        `video\\${T} 5 STÂNGA v2.mp4`,
        `audio/ro/${T} 1-20 stanga (2).mp3`,
        `${T} - Intro (2).mp4`,
      ),
      defaults,
    );
    expect(plan.refusals).toEqual([]);
    expect(plan.renames.map((rename) => [rename.source, rename.target])).toEqual([
      [`audio/ro/${T} 1-20 stanga (2).mp3`, 'audio/ro/rep-left-vo-2.mp3'],
      [`${T} - Intro (2).mp4`, 'intro-video-2.mp4'],
      [`video/${T} 5 Sta\u0302nga.MP4`, 'rep-left-video-1.mp4'],
      [`video/${T} 5 STÂNGA v2.mp4`, 'rep-left-video-2.mp4'],
    ]);
    expect(plan.extractions.map((extraction) => extraction.target)).toEqual(['audio/ro/intro-vo-2.mp3']);
    expect(plan.sides).toEqual(['left']);
  });

  it('extracts no framing voice-over that was delivered separately, per variant', () => {
    const plan = planRenames(
      files(`${T} - Intro.mp4`, `${T} - Intro v2.mp4`, `${T} - Intro.mp3`, `${T} - Pauza.mp4`),
      defaults,
    );
    expect(plan.extractions.map((extraction) => [extraction.source, extraction.target])).toEqual([
      [`${T} - Intro v2.mp4`, 'audio/ro/intro-vo-2.mp3'],
      [`${T} - Pauza.mp4`, 'audio/ro/pauza-vo-1.mp3'],
    ]);
    expect(plan.renames.map((rename) => rename.target)).toContain('audio/ro/intro-vo-1.mp3');
  });

  it('extracts in the language of the framing video rule', () => {
    const plan = planRenames(
      files('intro.mp4', 'intro-en.mp4', 'intro-en.mp3'),
      config({
        rules: [
          { match: String.raw`^intro-(?<language>[a-z]{2})\.mp4$`, slot: 'intro', kind: 'video', variant: 2 },
          { match: String.raw`^intro-(?<language>[a-z]{2})\.mp3$`, slot: 'intro', kind: 'voice-over' },
          { match: String.raw`^intro\.mp4$`, slot: 'intro', kind: 'video' },
        ],
      }),
    );
    expect(plan.refusals).toEqual([]);
    expect(plan.extractions.map((extraction) => extraction.target)).toEqual([
      'audio/en/intro-vo-2.mp3',
      'audio/ro/intro-vo-1.mp3',
    ]);
    expect(plan.languages).toEqual(['en', 'ro']);
  });

  it('refuses every file no rule matches, naming each', () => {
    const plan = planRenames(files(...TEAM_DELIVERY, 'notes.txt', `extra/${T} - Intro copy.mp4`), defaults);
    expect(plan.refusals.map((reason) => reason.file)).toEqual([
      'extra/001 Detensionari Lombare - Intro copy.mp4',
      'notes.txt',
    ]);
    for (const reason of plan.refusals) {
      expect(reason.problem).toMatch(/does not say which part of the exercise/);
      expect(reason.fix).toMatch(/Rename it like "001 Detensionari Lombare - Intro\.mp4"/);
    }
    expect(plan.renames).toHaveLength(7);
  });

  it('refuses every file of a pair that maps to one target, naming both', () => {
    const plan = planRenames(
      files(`${T} - Intro.mp4`, `take2/${T} - INTRO.mp4`, `${T} - Intro v1.mp4`, `${T} 5 Stanga.mp4`),
      defaults,
    );
    expect(plan.refusals.map((reason) => reason.file)).toEqual([
      `${T} - Intro v1.mp4`,
      `${T} - Intro.mp4`,
      `take2/${T} - INTRO.mp4`,
    ]);
    for (const reason of plan.refusals) {
      expect(reason.problem).toBe(
        `"${T} - Intro v1.mp4", "${T} - Intro.mp4", "take2/${T} - INTRO.mp4" would all become intro-video-1.mp4`,
      );
      expect(reason.fix).toMatch(/" v2"/);
    }
    expect(plan.renames.map((rename) => rename.target)).toEqual(['rep-left-video-1.mp4']);
    expect(plan.extractions).toEqual([]);
  });

  it('refuses containers the bundle cannot hold, and empty files', () => {
    const plan = planRenames(
      [
        { relativePath: `${T} - Intro.mov`, size: 10 },
        { relativePath: `${T} 1-20 Stanga.wav`, size: 10 },
        { relativePath: `${T} - Outro.mp4`, size: 0 },
      ],
      defaults,
    );
    expect(plan.refusals.map(englishReason)).toEqual([
      {
        file: `${T} - Intro.mov`,
        problem: '.mov files are not accepted; videos must be .mp4',
        fix: 'Export it again as .mp4',
      },
      {
        file: `${T} - Outro.mp4`,
        problem: 'the file is empty (0 bytes)',
        fix: 'Copy the file into the folder again',
      },
      {
        file: `${T} 1-20 Stanga.wav`,
        problem: '.wav files are not accepted; voice-over files must be .mp3',
        fix: 'Export it again as .mp3',
      },
    ]);
  });

  it('plans a conversion for an allowed container when normalizing', () => {
    const plan = planRenames(
      files(`${T} - Intro.mov`),
      config({ normalize: true, allowedContainers: { video: ['mp4', 'mov'] } }),
    );
    expect(plan.refusals).toEqual([]);
    expect(plan.renames).toMatchObject([{ target: 'intro-video-1.mp4', convert: true }]);
  });

  it('refuses a variant 0 and a language that is not a code', () => {
    const plan = planRenames(
      files(`${T} - Intro (0).mp4`, 'left-xyz1.mp3'),
      config({
        rules: [{ match: String.raw`^left-(?<language>.+)\.mp3$`, slot: 'rep-left', kind: 'voice-over' }],
        naming: {},
      }),
    );
    expect(plan.refusals.map((reason) => [reason.file, reason.problem])).toEqual([
      [`${T} - Intro (0).mp4`, 'the name marks take 0, but takes are numbered from 1 to 999999'],
      ['left-xyz1.mp3', 'the name gives the language "xyz1", which is not a language code'],
    ]);
  });

  it('reads only a top-level manifest.json and refuses a nested one', () => {
    const plan = planRenames(files(...TEAM_DELIVERY, 'old/manifest.json'), defaults);
    expect(plan.manifestFile).toBeNull();
    expect(plan.refusals.map(englishReason)).toEqual([
      {
        file: 'old/manifest.json',
        problem: 'a manifest.json inside a sub-folder is not read',
        fix: 'Move manifest.json to the top of the exercise folder',
      },
    ]);
  });

  it('ignores junk with the configured globs, including files in hidden folders', () => {
    // In path order, as plan.ignored lists them.
    const junk = ['.DS_Store', '._x.mp4', '.git/HEAD', 'Thumbs.db', 'clip.part', 'raw/b.tmp', 'readme.txt'];
    const plan = planRenames(
      files(...TEAM_DELIVERY, ...junk),
      config({ junk: [...agentConfigSchema.parse({}).junk, '*.txt'] }),
    );
    expect(plan.refusals).toEqual([]);
    expect(plan.ignored).toEqual(junk);
  });

  it('refuses a delivery with nothing to ingest', () => {
    const plan = planRenames(files('.DS_Store', 'manifest.json'), defaults);
    expect(plan.refusals).toHaveLength(1);
    expect(plan.refusals[0]).toMatchObject({ problem: 'the folder holds no videos or voice-over files' });
    expect(plan.refusals[0]?.file).toBeUndefined();
  });

  it('derives sides from rep voice-over too, in manifest order, and bilateral from a bilateral rule', () => {
    const plan = planRenames(
      files('r.mp3', 'b.mp4', 'l.mp4'),
      config({
        rules: [
          { match: String.raw`^r\.mp3$`, slot: 'rep-right', kind: 'voice-over' },
          { match: String.raw`^b\.mp4$`, slot: 'rep-bilateral', kind: 'video' },
          { match: String.raw`^l\.mp4$`, slot: 'rep-left', kind: 'video' },
        ],
      }),
    );
    expect(plan.sides).toEqual(['left', 'right', 'bilateral']);
    expect(plan.languages).toEqual(['ro']);
  });

  it('gives no languages when no voice-over is delivered or extracted', () => {
    expect(planRenames(files(`${T} 5 Stanga.mp4`), defaults).languages).toEqual([]);
  });
});
