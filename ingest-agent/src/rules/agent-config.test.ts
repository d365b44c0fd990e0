import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AgentConfigError, agentConfigSchema, formatConfigPath, loadAgentConfig } from './agent-config.js';
import { DEFAULT_JUNK, DEFAULT_NAMING } from './default-rules.js';

const EXAMPLE_PATH = fileURLToPath(new URL('../../config/agent.config.example.json', import.meta.url));

function issuesOf(config: unknown, source = 'agent.json'): readonly string[] {
  try {
    loadAgentConfig(JSON.stringify(config), source);
  } catch (error) {
    expect(error).toBeInstanceOf(AgentConfigError);
    expect((error as AgentConfigError).code).toBe('AGENT_CONFIG_INVALID');
    return (error as AgentConfigError).issues;
  }
  throw new Error('expected the config to be refused');
}

describe('agentConfigSchema defaults', () => {
  const config = agentConfigSchema.parse({});

  it('fills every field with its documented default', () => {
    expect(config).toMatchObject({
      defaultLanguage: 'ro',
      junk: [...DEFAULT_JUNK],
      folderSlugs: {},
      manifestDefaults: { reps_per_video_block: 5, counts_per_audio_master: 20 },
      settleSeconds: 30,
      pollIntervalSeconds: 5,
      normalize: false,
      onSuccess: 'move',
      onRefusal: 'leave',
      allowedContainers: { video: ['mp4'], 'voice-over': ['mp3'] },
    });
    expect(config.manifestDefaults.languages).toBeUndefined();
  });

  it('names files by the team’s words, with no regular expressions', () => {
    expect(config.rules).toEqual([]);
    expect(config.naming).toEqual(DEFAULT_NAMING);
  });

  it('keeps a file’s regular expressions alone unless it also has naming, as before the keyword form', () => {
    const rules = [{ match: 'intro', slot: 'intro', kind: 'video' }] as const;
    expect(agentConfigSchema.parse({ rules }).naming).toBeNull();
    expect(agentConfigSchema.parse({ rules, naming: {} }).naming).toEqual(DEFAULT_NAMING);
    expect(agentConfigSchema.parse({ naming: { languages: ['en'] } }).naming).toEqual({
      ...DEFAULT_NAMING,
      languages: ['en'],
    });
  });

  it('does not share default lists between parses', () => {
    config.junk.push('extra');
    expect(agentConfigSchema.parse({}).junk).toEqual([...DEFAULT_JUNK]);
  });
});

describe('the shipped example config', () => {
  it('parses and equals the built-in defaults but for the report language, so the file documents what the agent does without one', () => {
    const example = loadAgentConfig(readFileSync(EXAMPLE_PATH, 'utf8'), EXAMPLE_PATH);
    // The team reads Romanian; a config-less agent keeps writing English reports.
    expect(example).toEqual({ ...agentConfigSchema.parse({}), reportLanguage: 'ro' });
  });

  it('refuses a report language it has no texts for, naming the choices', () => {
    expect(issuesOf({ reportLanguage: 'fr' })).toEqual([
      'agent.json: reportLanguage: expected "ro" or "en", got "fr"',
    ]);
  });
});

describe('loadAgentConfig errors', () => {
  const rule = { match: 'intro', slot: 'intro', kind: 'video' };

  it('names the file, the path and the expected values of a bad slot', () => {
    const issues = issuesOf({ rules: [rule, rule, { ...rule, slot: 'repleft' }] }, 'config/agent.json');
    expect(issues).toEqual([
      'config/agent.json: rules[2].slot: expected one of intro, pauza, outro, rep-left, rep-right, rep-bilateral, got "repleft"',
    ]);
  });

  it('reports an invalid regular expression at its rule', () => {
    const [issue, ...rest] = issuesOf({ rules: [rule, { ...rule, match: '(?<variant>\\d+' }] });
    expect(rest).toEqual([]);
    expect(issue).toMatch(/^agent\.json: rules\[1\]\.match: is not a valid regular expression \(.+\)$/);
  });

  it('lists every problem at once', () => {
    const issues = issuesOf({
      rules: [{ match: '', slot: 'intro', kind: 'audio', variant: 0 }],
      defaultLanguage: 'Romanian',
      settleSeconds: -1,
      pollIntervalSeconds: 0,
      onSuccess: 'delete',
      folderSlugs: { '001 Squat': '../squat' },
      manifestDefaults: { reps_per_video_block: 2.5 },
      junk: 'x',
    });
    expect(issues).toEqual([
      'agent.json: rules[0].match: expected a regular expression, got ""',
      'agent.json: rules[0].kind: expected one of video, voice-over, got "audio"',
      'agent.json: rules[0].variant: expected a whole number from 1 to 999999, got 0',
      'agent.json: defaultLanguage: expected a language code such as "ro", "en" or "pt-BR", got "Romanian"',
      'agent.json: junk: expected a list of globs, got "x"',
      'agent.json: folderSlugs["001 Squat"]: expected a slug of lowercase letters and digits in words joined by single hyphens, e.g. "squat-wall", got "../squat"',
      'agent.json: manifestDefaults.reps_per_video_block: expected a positive whole number, got 2.5',
      'agent.json: settleSeconds: expected 0 or more seconds, got -1',
      'agent.json: pollIntervalSeconds: expected more than 0 seconds, got 0',
      'agent.json: onSuccess: expected "move" or "leave", got "delete"',
    ]);
  });

  it('says a required field is missing', () => {
    expect(issuesOf({ rules: [{ match: 'x', kind: 'video' }] })).toEqual([
      'agent.json: rules[0].slot: is required: expected one of intro, pauza, outro, rep-left, rep-right, rep-bilateral',
    ]);
  });

  it('refuses unknown fields by name, at any depth', () => {
    expect(issuesOf({ setleSeconds: 3, rules: [{ ...rule, slots: 'x' }] })).toEqual([
      'agent.json: rules[0].slots: unknown field; check its spelling (fields are described in config/README.md)',
      'agent.json: setleSeconds: unknown field; check its spelling (fields are described in config/README.md)',
    ]);
  });

  it('checks that a voice-over master holds whole video blocks', () => {
    expect(issuesOf({ manifestDefaults: { reps_per_video_block: 6, counts_per_audio_master: 20 } })).toEqual([
      'agent.json: manifestDefaults.counts_per_audio_master: expected a multiple of reps_per_video_block (6), got 20',
    ]);
  });

  it('accepts other containers only when files are re-encoded', () => {
    const containers = { video: ['mp4', 'mov'], 'voice-over': ['mp3'] };
    expect(issuesOf({ allowedContainers: containers })).toEqual([
      'agent.json: allowedContainers.video[1]: "mov" needs re-encoding to mp4; set "normalize": true or remove it',
    ]);
    const config = loadAgentConfig(
      JSON.stringify({ allowedContainers: containers, normalize: true }),
      'agent.json',
    );
    expect(config.allowedContainers.video).toEqual(['mp4', 'mov']);
  });

  it('names the field of every bad word, marker and extension of the keyword form', () => {
    const issues = issuesOf({
      naming: {
        words: { 'rep-left': ['stanga', ''], 'rep-right': ['Stângă ', 'dreapta'], up: ['sus'], intro: [] },
        variants: ['v', 'take{n}{n}'],
        languages: ['english'],
        extensions: { video: ['mp4'], 'voice-over': ['.mp3', 'MP4'] },
      },
    });
    expect(issues).toEqual([
      'agent.json: naming.words.intro: expected at least one word, or leave the part out, got an array of 0',
      'agent.json: naming.words["rep-left"][1]: expected a word with letters or digits, such as "stanga", got ""',
      'agent.json: naming.words.up: unknown field; check its spelling (fields are described in config/README.md)',
      'agent.json: naming.variants[0]: expected a marker with {n} where the take number goes, such as "v{n}" or "({n})", got "v"',
      'agent.json: naming.variants[1]: expected a marker with {n} where the take number goes, such as "v{n}" or "({n})", got "take{n}{n}"',
      'agent.json: naming.languages[0]: expected a language code such as "ro", "en" or "pt-BR", got "english"',
      'agent.json: naming.extensions["voice-over"][0]: expected a lowercase extension without the dot, such as "mp4", got ".mp3"',
      'agent.json: naming.extensions["voice-over"][1]: expected a lowercase extension without the dot, such as "mp4", got "MP4"',
      'agent.json: naming.words["rep-right"][0]: "Stângă " is already a word of rep-left (naming.words["rep-left"][0]); a word can name only one part, so remove it from one of them',
    ]);
    expect(
      issuesOf({
        naming: {
          words: { 'rep-left': ['stanga'], 'rep-right': ['Stângă ', 'de'] },
          languages: ['de'],
          extensions: { 'voice-over': ['mp3', 'mp4'] },
        },
      }),
    ).toEqual([
      'agent.json: naming.words["rep-right"][0]: "Stângă " is already a word of rep-left (naming.words["rep-left"][0]); a word can name only one part, so remove it from one of them',
      'agent.json: naming.languages[0]: "de" is also a word of rep-right (naming.words["rep-right"][1]); a name could not say which it means, so remove one',
      'agent.json: naming.extensions["voice-over"][1]: "mp4" is also a video extension; an extension can make a file only one kind, so remove it from one list',
    ]);
  });

  it('refuses a file that is not JSON, or not an object', () => {
    expect(issuesOf(undefined)).toHaveLength(1);
    expect(() => loadAgentConfig('{"rules": [', 'agent.json')).toThrow(
      /^agent\.json is not a valid agent config:\n {2}agent\.json: is not valid JSON/,
    );
    expect(issuesOf([])).toEqual(['agent.json: (whole file): expected a JSON object, got an array of 0']);
  });

  it('puts every issue on its own line of the message', () => {
    expect(() => loadAgentConfig('{"normalize": 1, "onRefusal": 2}', 'a.json')).toThrow(
      'a.json is not a valid agent config:\n  a.json: normalize: expected true or false, got 1\n  a.json: onRefusal: expected "leave" or "move", got 2',
    );
  });
});

describe('formatConfigPath', () => {
  it('writes indexes in brackets and odd keys quoted', () => {
    expect(formatConfigPath(['rules', 2, 'slot'])).toBe('rules[2].slot');
    expect(formatConfigPath(['allowedContainers', 'voice-over', 0])).toBe(
      'allowedContainers["voice-over"][0]',
    );
    expect(formatConfigPath([])).toBe('');
  });
});
