import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { agentConfigSchema } from './agent-config.js';
import { compileRules, extensionOf, matchFileName } from './match-file-name.js';

const defaults = agentConfigSchema.parse({});
const rules = compileRules(defaults.rules, defaults.naming);

function match(name: string) {
  const found = matchFileName(name, rules, 'ro');
  return (
    found && {
      slot: found.slot,
      kind: found.kind,
      variant: found.variant,
      language: found.language,
      ext: found.ext,
    }
  );
}

const title = '001 Detensionari Lombare';

describe('default rules on the team naming', () => {
  it.each([
    [`${title} - Intro.mp4`, 'intro', 'video'],
    [`${title} - Outro.mp4`, 'outro', 'video'],
    [`${title} - Pauza.mp4`, 'pauza', 'video'],
    [`${title} 5 Stanga.mp4`, 'rep-left', 'video'],
    [`${title} 5 Dreapta.mp4`, 'rep-right', 'video'],
    [`${title} 1-20 Stanga.mp3`, 'rep-left', 'voice-over'],
    [`${title} 1-20 Dreapta.mp3`, 'rep-right', 'voice-over'],
    [`${title} - Intro.mp3`, 'intro', 'voice-over'],
  ])('%s → %s %s, variant 1, ro', (name, slot, kind) => {
    expect(match(name)).toEqual({ slot, kind, variant: 1, language: 'ro', ext: name.slice(-3) });
  });

  it.each([
    'St\u00e2nga', // composed
    'Sta\u0302nga', // decomposed, as macOS stores it
    'stanga',
    'STANGA',
    'ST\u00c2NGA',
  ])('matches the side written %s', (side) => {
    expect(match(`${title} 5 ${side}.mp4`)).toMatchObject({ slot: 'rep-left', kind: 'video', variant: 1 });
    expect(match(`${title} 1-20 ${side}.mp3`)).toMatchObject({ slot: 'rep-left', kind: 'voice-over' });
  });

  it('matches a decomposed Pauză and a fully decomposed name', () => {
    expect(match(`${title} - Pauz\u0103.mp4`)?.slot).toBe('pauza');
    expect(match(`${title} - Pauza\u0306.mp4`.normalize('NFD'))?.slot).toBe('pauza');
  });

  it.each([
    [`${title} - Intro v2.mp4`, 'intro', 2],
    [`${title} - Intro (2).mp4`, 'intro', 2],
    [`${title} - Intro(3).mp4`, 'intro', 3],
    [`${title} 5 Stanga v2.mp4`, 'rep-left', 2],
    [`${title} 5 Dreapta (2).mp4`, 'rep-right', 2],
    [`${title} 1-20 Stanga V2.MP3`, 'rep-left', 2],
    [`${title} - Outro v12.mp4`, 'outro', 12],
  ])('%s → %s variant %i', (name, slot, variant) => {
    expect(match(name)).toMatchObject({ slot, variant });
  });

  it('reads uppercase extensions and reports them lowercase', () => {
    expect(match(`${title} - Intro.MP4`)).toEqual({
      slot: 'intro',
      kind: 'video',
      variant: 1,
      language: 'ro',
      ext: 'mp4',
    });
    expect(match(`${title} 1-20 Dreapta.Mp3`)).toMatchObject({ kind: 'voice-over', ext: 'mp3' });
  });

  it('tells videos from voice-over by the container, including ones that need re-encoding', () => {
    expect(match(`${title} - Intro.mov`)).toMatchObject({ kind: 'video', ext: 'mov' });
    expect(match(`${title} 1-20 Stanga.wav`)).toMatchObject({ kind: 'voice-over', ext: 'wav' });
  });

  it('decides by the last word, not by words inside the title', () => {
    expect(match('001 Intro in stanga - Outro.mp4')?.slot).toBe('outro');
    expect(match('002 Pauza activa 5 Dreapta.mp4')?.slot).toBe('rep-right');
  });

  it.each([
    `${title} - Introducere.mp4`,
    `${title} - Intro.txt`,
    `${title} - Intro copy.mp4`,
    `${title} 5 Stangaa.mp4`,
    `${title}.mp4`,
    'notes.txt',
    `${title} - Intro`,
    `${title} - Intro v2 final.mp4`,
  ])('matches nothing for %s', (name) => {
    expect(match(name)).toBeNull();
  });
});

describe('configured rules', () => {
  const custom = agentConfigSchema.parse({
    defaultLanguage: 'ro',
    rules: [
      {
        match: String.raw`^(?<language>[a-z]{2}(?:-[a-z]{2})?)_left\.mp3$`,
        slot: 'rep-left',
        kind: 'voice-over',
      },
      {
        match: String.raw`^Intro\.mp4$`,
        slot: 'intro',
        kind: 'video',
        caseSensitive: true,
        variant: 4,
        language: 'en',
      },
      { match: String.raw`^pauză\.mp4$`, slot: 'pauza', kind: 'video' },
      { match: String.raw`^outră\.mp4$`, slot: 'outro', kind: 'video', diacriticSensitive: true },
      { match: String.raw`^take(?<variant>\d+)?\.mp4$`, slot: 'rep-right', kind: 'video', variant: 7 },
      { match: String.raw`\.mp4$`, slot: 'rep-bilateral', kind: 'video' },
    ],
  });
  const compiled = compileRules(custom.rules);
  const run = (name: string) => matchFileName(name, compiled, custom.defaultLanguage);

  it('takes the language from a named group, restoring the region case', () => {
    expect(run('en_left.mp3')).toMatchObject({ language: 'en', slot: 'rep-left' });
    expect(run('PT-BR_left.mp3')).toMatchObject({ language: 'pt-BR' });
  });

  it('uses fixed variant and language, and honours case sensitivity', () => {
    expect(run('Intro.mp4')).toMatchObject({ slot: 'intro', variant: 4, language: 'en', ruleIndex: 1 });
    // Falls through to the catch-all rule because case now matters.
    expect(run('intro.mp4')).toMatchObject({ slot: 'rep-bilateral', ruleIndex: 5 });
  });

  it('folds diacritics in the rule itself unless diacritic-sensitive', () => {
    expect(run('pauza.mp4')?.slot).toBe('pauza');
    expect(run('PAUZ\u0102.mp4')?.slot).toBe('pauza');
    expect(run('outra.mp4')?.slot).toBe('rep-bilateral');
    expect(run('outra\u0306.mp4')?.slot).toBe('outro');
  });

  it('prefers a captured variant over the fixed one, which applies when nothing was captured', () => {
    expect(run('take3.mp4')?.variant).toBe(3);
    expect(run('take.mp4')?.variant).toBe(7);
  });

  it('reports a captured variant 0 as is, for the planner to refuse', () => {
    expect(run('take0.mp4')?.variant).toBe(0);
  });

  it('lets the first matching rule decide', () => {
    expect(run('anything.mp4')).toMatchObject({ slot: 'rep-bilateral', ruleIndex: 5 });
  });
});

describe('the English voice-over rule from config/README.md', () => {
  it('reads the language from the name ahead of the default rules', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../config/README.md', import.meta.url)), 'utf8');
    const line = readme
      .split('\n')
      .find((text) => text.startsWith('{ "match"') && text.includes('(?<language>'));
    const english: unknown = JSON.parse(line ?? 'null');
    const withEnglish = agentConfigSchema.parse({ rules: [english], naming: {} });
    const compiled = compileRules(withEnglish.rules, withEnglish.naming);
    expect(matchFileName(`${title} 1-20 Stanga EN.mp3`, compiled, 'ro')).toMatchObject({
      slot: 'rep-left',
      language: 'en',
    });
    expect(matchFileName(`${title} 1-20 Stanga.mp3`, compiled, 'ro')).toMatchObject({
      slot: 'rep-left',
      language: 'ro',
    });
  });
});

describe('extensionOf', () => {
  it('gives the lowercase extension, or empty for none and for dot files', () => {
    expect(extensionOf('a.b.MP4')).toBe('mp4');
    expect(extensionOf('noext')).toBe('');
    expect(extensionOf('.hidden')).toBe('');
  });
});
