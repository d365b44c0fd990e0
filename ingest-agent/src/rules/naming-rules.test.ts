import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FRAMING_SLOTS, type Slot } from '@exercise-pipeline/shared';
import { teamVideoName, teamVoiceOverName } from '@exercise-pipeline/test/fixtures';
import { describe, expect, it } from 'vitest';
import { planRenames } from '../plan/plan-renames.js';
import { type AgentConfigInput, agentConfigSchema } from './agent-config.js';
import { compileRules, matchFileName } from './match-file-name.js';

/**
 * The team's naming as the regular expressions the agent shipped with before the keyword form:
 * the slot word at the start or after a non-letter, an optional ` v2` / ` (2)`, then the extension.
 */
const VARIANT = String.raw`(?:(?:\s+v|\s*\()(?<variant>\d+)\)?)?`;
const EXTENSIONS = {
  video: String.raw`\.(?:mp4|mov|m4v|mkv|avi|mxf)$`,
  'voice-over': String.raw`\.(?:mp3|wav|m4a|aac|flac)$`,
} as const;
const REGEX_WORDS = [
  ['intro', 'intro'],
  ['pauza', 'pauza|pause'],
  ['outro', 'outro'],
  ['rep-left', 'stanga|left'],
  ['rep-right', 'dreapta|right'],
] as const;
const REGEX_RULES: NonNullable<AgentConfigInput['rules']> = REGEX_WORDS.flatMap(([slot, words]) =>
  (['video', 'voice-over'] as const).map((kind) => ({
    match: `(?:^|[^a-z])(?:${words})${VARIANT}${EXTENSIONS[kind]}`,
    slot,
    kind,
  })),
);

const T = '001 Detensionări Lombare';
const REP_SLOTS: Slot[] = ['rep-left', 'rep-right'];

/** Every name the team's naming produces, three takes of each. */
function teamDelivery(): string[] {
  const names: string[] = [];
  for (const variant of [1, 2, 3]) {
    for (const slot of [...FRAMING_SLOTS, ...REP_SLOTS]) names.push(teamVideoName(T, slot, variant, 5));
    for (const slot of REP_SLOTS) names.push(teamVoiceOverName(T, slot, variant, 20));
  }
  return names;
}

/** The same names in the spellings a share delivers, and names near them that must not match. */
function nearbyNames(): string[] {
  const spellings = teamDelivery().flatMap((name) => [
    name.toUpperCase(),
    name.replace('Stanga', 'Stânga').normalize('NFD'),
    name.replace(/ v(\d)\./, ' ($1).'),
    name.replace(/ v(\d)\./, '(1$1).'),
  ]);
  const others = [
    `${T} - Intro.mp3`,
    `${T} - Outro (2).wav`,
    `${T} 5 Left.MOV`,
    `${T} 5 Right v4.mkv`,
    `${T} 1-20 Pause.m4a`,
    `${T} - Intro Final.mp4`,
    `${T} - Cadru Extra.mp4`,
    `${T} 5 Stanga.txt`,
    `${T} 5 Stanga.`,
    `${T} 5 Stanga v.mp4`,
    `${T} 5 Stanga v0.mp4`,
    'Outro',
    'introduction.mp4',
    'stanga.mp4',
    'subfolder/5 Dreapta v2.mp4',
  ];
  return [...new Set([...spellings, ...others])];
}

function configOf(input: AgentConfigInput) {
  return agentConfigSchema.parse({
    ...input,
    normalize: true,
    allowedContainers: { video: ['mp4', 'mov', 'mkv'], 'voice-over': ['mp3', 'wav', 'm4a'] },
  });
}

/** The bundle a delivery becomes: renamed and extracted files, and the refused ones. */
function bundleOf(names: readonly string[], input: AgentConfigInput) {
  const plan = planRenames(
    names.map((relativePath) => ({ relativePath, size: 1000 })),
    configOf(input),
  );
  return {
    files: [
      ...plan.renames.map((rename) => `${rename.source} -> ${rename.target}`),
      ...plan.extractions.map((e) => e.target),
    ],
    refused: plan.refusals.map((reason) => `${reason.file}: ${reason.problem}`),
  };
}

/** What one name alone becomes: its target, or why it is refused. */
function eachName(input: AgentConfigInput): Record<string, string> {
  return Object.fromEntries(
    nearbyNames().map((name) => {
      const { files, refused } = bundleOf([name], input);
      return [name, refused[0] ?? files[0] ?? ''];
    }),
  );
}

describe('the keyword form of the team naming', () => {
  it('makes the same bundle as the regular expressions from the team delivery', () => {
    const keywords = bundleOf(teamDelivery(), {});
    expect(keywords).toEqual(bundleOf(teamDelivery(), { rules: REGEX_RULES }));
    expect(keywords.refused).toEqual([]);
    // 21 delivered (3 takes of 7 files) and 9 framing voice-overs extracted.
    expect(new Set(keywords.files).size).toBe(30);
  });

  it('reads every other spelling, and refuses every near miss, as the regular expressions did', () => {
    const keywords = eachName({});
    expect(keywords).toEqual(eachName({ rules: REGEX_RULES }));
    const targets = Object.values(keywords);
    expect(targets.filter((target) => target.includes('does not say which part'))).toHaveLength(7);
    expect(keywords[`${T} 5 Left.MOV`]).toBe(`${T} 5 Left.MOV -> rep-left-video-1.mp4`);
  });

  const naming = agentConfigSchema.parse({
    naming: {
      words: { 'rep-left': ['pe stanga', 'stânga'], intro: ['c++ intro'] },
      variants: ['take {n}', '[{n}]'],
      languages: ['en', 'pt-BR'],
      extensions: { video: ['mp4'], 'voice-over': ['mp3'] },
    },
  });
  const rules = compileRules(naming.rules, naming.naming);
  const match = (name: string) => matchFileName(name, rules, 'ro');

  it('reads language and take markers after the word and labels the rule by its word', () => {
    expect(match('x 1-20 STANGA EN take 3.mp3')).toMatchObject({
      slot: 'rep-left',
      kind: 'voice-over',
      language: 'en',
      variant: 3,
      rule: 'rep-left (words: stânga)',
    });
    expect(match('x Stanga pt-br[2].mp4')).toMatchObject({ language: 'pt-BR', variant: 2 });
    expect(match('x 5 pe   stânga.mp4')).toMatchObject({ rule: 'rep-left (words: pe stanga)' });
    expect(match('001 C++ Intro.mp4')).toMatchObject({ slot: 'intro', variant: 1, language: 'ro' });
  });

  it('takes words and markers literally and needs the word last, apart from other letters', () => {
    expect(match('001 Cxx Intro.mp4')).toBeNull();
    expect(match('x Stanga v2.mp4')).toBeNull();
    expect(match('x Stangatake 2.mp4')).toBeNull();
    expect(match('x Stanga fr.mp3')).toBeNull();
    expect(match('x Stanga.mov')).toBeNull();
    expect(match('xstanga.mp4')).toBeNull();
  });
});

describe('the word example in the README', () => {
  it('parses and reads what the README says it reads', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const after = readme.slice(readme.indexOf('Rename rules are written as words'));
    const block = after.slice(after.indexOf('```json') + '```json'.length, after.indexOf('```\n', 8));
    const config = agentConfigSchema.parse(JSON.parse(block));
    const rules = compileRules(config.rules, config.naming);
    expect(matchFileName(`${T} 1-20 Stanga EN.mp3`, rules, 'ro')).toMatchObject({
      slot: 'rep-left',
      language: 'en',
    });
    expect(matchFileName(`${T} 5 Stg v2.mp4`, rules, 'ro')).toMatchObject({
      slot: 'rep-left',
      variant: 2,
      rule: 'rep-left (words: stg)',
    });
  });
});
