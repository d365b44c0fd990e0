import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defineCommand } from './define-command.js';
import { parseCommandLine } from './flags.js';
import { programMain } from './program-main.js';
import type { CliIo } from './types.js';

function captureIo(): { io: CliIo; stdout: () => string; stderr: () => string } {
  const collect = (stream: PassThrough) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    return () => text;
  };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  return { io: { stdout, stderr, env: {} }, stdout: collect(stdout), stderr: collect(stderr) };
}

const USAGE = 'usage: tool copy <file> [--to DIR] [--times N] [--tag T]... [--force] [--json]\n';
const FLAGS = {
  to: { type: 'string', value: 'DIR' },
  times: { type: 'number', value: 'N', min: 1, max: 9 },
  tag: { type: 'string', value: 'T', multiple: true },
  force: { type: 'boolean', short: 'f' },
} as const;

const copy = defineCommand({
  summary: 'copy a file',
  usage: USAGE,
  flags: FLAGS,
  json: true,
  async run({ flags, positionals, json, writeJson, io, usageError }) {
    if (positionals.length !== 1) return usageError('name exactly one file to copy', 'file');
    if (json) writeJson({ flags, positionals });
    else io.stdout.write(`copied ${positionals[0]}\n`);
    return 0;
  },
});

describe('parseCommandLine', () => {
  it('reads typed values: strings, numbers, switches, repeated flags, = forms, short forms and --', () => {
    expect(
      parseCommandLine(
        ['a.txt', '--to=out', '--times', '3', '--tag', 'x', '--tag=y', '-f', '--', '--not-a-flag'],
        FLAGS,
      ),
    ).toEqual({
      ok: true,
      flags: { to: 'out', times: 3, tag: ['x', 'y'], force: true },
      positionals: ['a.txt', '--not-a-flag'],
      help: false,
    });
    expect(parseCommandLine([], FLAGS)).toEqual({
      ok: true,
      flags: { to: undefined, times: undefined, tag: [], force: false },
      positionals: [],
      help: false,
    });
  });

  it('names the flag and the fix for an unknown flag, a missing value, a bad number and a value on a switch', () => {
    expect(parseCommandLine(['--colour'], FLAGS)).toEqual({
      ok: false,
      flag: '--colour',
      problem: 'unknown flag --colour: it takes --to, --times, --tag, --force; see --help',
    });
    expect(parseCommandLine(['--forse'], FLAGS)).toMatchObject({
      problem: 'unknown flag --forse (did you mean --force?); see --help',
    });
    expect(parseCommandLine(['-x'], FLAGS)).toMatchObject({ ok: false, flag: '-x' });
    expect(parseCommandLine(['--to'], FLAGS)).toEqual({
      ok: false,
      flag: '--to',
      problem: '--to needs a value: --to DIR; see --help',
    });
    expect(parseCommandLine(['--to', '--force'], FLAGS)).toMatchObject({ flag: '--to' });
    expect(parseCommandLine(['--times', 'three'], FLAGS)).toEqual({
      ok: false,
      flag: '--times',
      problem: '--times expects a whole number 1-9, got "three"',
    });
    expect(parseCommandLine(['--times', '12'], FLAGS)).toMatchObject({ flag: '--times' });
    expect(parseCommandLine(['--times', '1.5'], FLAGS)).toMatchObject({ flag: '--times' });
    expect(parseCommandLine(['--force=yes'], FLAGS)).toMatchObject({
      problem: '--force takes no value: pass --force alone',
    });
    expect(parseCommandLine(['--toString', 'x'], FLAGS)).toMatchObject({ ok: false, flag: '--toString' });
  });
});

describe('defineCommand', () => {
  it('prints its usage on stdout with exit 0 for --help and -h, without running', async () => {
    for (const flag of ['--help', '-h']) {
      const out = captureIo();
      expect(await copy.run(['a.txt', flag], out.io)).toBe(0);
      expect(out.stdout()).toBe(USAGE);
      expect(out.stderr()).toBe('');
    }
  });

  it('refuses an unknown flag with exit 2: the problem, a blank line and the usage on stderr', async () => {
    const out = captureIo();
    expect(await copy.run(['a.txt', '--colour', 'red'], out.io)).toBe(2);
    expect(out.stderr()).toBe(
      `unknown flag --colour: it takes --to, --times, --tag, --force, --json; see --help\n\n${USAGE}`,
    );
    expect(out.stdout()).toBe('');
  });

  it('refuses a missing value and a bad number with exit 2, naming the flag', async () => {
    const missing = captureIo();
    expect(await copy.run(['a.txt', '--to'], missing.io)).toBe(2);
    expect(missing.stderr()).toMatch(/^--to needs a value: --to DIR; see --help\n\n/);
    const bad = captureIo();
    expect(await copy.run(['a.txt', '--times', '0'], bad.io)).toBe(2);
    expect(bad.stderr()).toMatch(/^--times expects a whole number 1-9, got "0"\n\n/);
  });

  it('answers --json with one JSON document, refusals included', async () => {
    const done = captureIo();
    expect(await copy.run(['a.txt', '--json', '--times', '2'], done.io)).toBe(0);
    expect(JSON.parse(done.stdout())).toEqual({
      flags: { to: undefined, times: 2, tag: [], force: false, json: true },
      positionals: ['a.txt'],
    });
    const refused = captureIo();
    expect(await copy.run(['--json', '--times', 'x'], refused.io)).toBe(2);
    expect(JSON.parse(refused.stdout())).toEqual({
      error: {
        code: 'INPUT_REFUSED',
        message: '--times expects a whole number 1-9, got "x"',
        reasons: [{ field: '--times', message: '--times expects a whole number 1-9, got "x"' }],
      },
    });
    const usage = captureIo();
    expect(await copy.run(['--json'], usage.io)).toBe(2);
    expect(JSON.parse(usage.stdout()).error.reasons).toEqual([
      { field: 'file', message: 'name exactly one file to copy' },
    ]);
    const text = captureIo();
    expect(await copy.run(['a.txt'], text.io)).toBe(0);
    expect(text.stdout()).toBe('copied a.txt\n');
  });

  it('refuses --json where the command does not take it', async () => {
    const plain = defineCommand({
      summary: 's',
      usage: 'usage: tool plain\n',
      flags: {},
      run: async () => 0,
    });
    const out = captureIo();
    expect(await plain.run(['--json'], out.io)).toBe(2);
    expect(out.stderr()).toMatch(/^unknown flag --json: this command takes no flags; see --help/);
    expect(out.stdout()).toBe('');
  });
});

describe('programMain', () => {
  it("dispatches to the program's commands, prints the usage and the package version", async () => {
    const main = programMain({
      program: 'tool',
      commands: { copy },
      packageJsonUrl: new URL('../../package.json', import.meta.url),
    });
    const help = captureIo();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.stdout()).toContain('  copy       copy a file\n');
    const version = captureIo();
    expect(await main(['--version'], version.io)).toBe(0);
    expect(version.stdout()).toMatch(/^tool \d+\.\d+\.\d+\n$/);
    const run = captureIo();
    expect(await main(['copy', 'b.txt'], run.io)).toBe(0);
    expect(run.stdout()).toBe('copied b.txt\n');
  });
});
