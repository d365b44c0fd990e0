import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lazyCommand } from './lazy-command.js';
import { runCli } from './run-cli.js';
import type { CliCommand, CliIo } from './types.js';

function captureIo(): { io: CliIo; stdout: () => string; stderr: () => string } {
  const collect = (stream: PassThrough) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return () => Buffer.concat(chunks).toString('utf8');
  };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  return { io: { stdout, stderr, env: {} }, stdout: collect(stdout), stderr: collect(stderr) };
}

const echo: CliCommand = {
  summary: 'write the arguments back',
  async run(args, io) {
    io.stdout.write(args.join(' '));
    return 7;
  },
};

const USAGE = [
  'usage: tool <command> [options]',
  '',
  'commands:',
  '  echo       write the arguments back',
  '',
  'Run `tool <command> --help` for its options.',
  '',
].join('\n');

describe('runCli', () => {
  it('prints the usage on stdout with exit 0 for --help, -h and help', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const out = captureIo();
      expect(await runCli({ program: 'tool', commands: { echo }, argv: [flag], io: out.io })).toBe(0);
      expect(out.stdout()).toBe(USAGE);
      expect(out.stderr()).toBe('');
    }
  });

  it('prints "<program> <version>" on stdout with exit 0 for --version and -V', async () => {
    for (const flag of ['--version', '-V']) {
      const out = captureIo();
      const code = await runCli({
        program: 'tool',
        commands: { echo },
        argv: [flag],
        io: out.io,
        version: '1.2.3',
      });
      expect(code).toBe(0);
      expect(out.stdout()).toBe('tool 1.2.3\n');
      expect(out.stderr()).toBe('');
    }
  });

  it('treats --version as an unknown command when the program has no version', async () => {
    const out = captureIo();
    expect(await runCli({ program: 'tool', commands: { echo }, argv: ['--version'], io: out.io })).toBe(2);
    expect(out.stderr()).toContain('unknown command "--version"');
  });

  it('prints the usage on stderr with exit 2 when no command is given', async () => {
    const out = captureIo();
    expect(await runCli({ program: 'tool', commands: { echo }, argv: [], io: out.io })).toBe(2);
    expect(out.stderr()).toBe(USAGE);
    expect(out.stdout()).toBe('');
  });

  it('names an unknown command, inherited object keys included, then prints the usage, exit 2', async () => {
    for (const name of ['bogus', 'toString', '__proto__']) {
      const out = captureIo();
      expect(await runCli({ program: 'tool', commands: { echo }, argv: [name], io: out.io })).toBe(2);
      expect(out.stderr()).toBe(`unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    }
  });

  it('uses the footer given in place of the default one', async () => {
    const out = captureIo();
    await runCli({ program: 'tool', commands: { echo }, argv: ['help'], io: out.io, footer: ['a', 'b'] });
    expect(out.stdout()).toBe(`${USAGE.split('Run `tool')[0]}a\nb\n`);
  });

  it("passes the remaining arguments to the command and resolves with the command's exit code", async () => {
    const out = captureIo();
    expect(
      await runCli({ program: 'tool', commands: { echo }, argv: ['echo', 'a', '--b'], io: out.io }),
    ).toBe(7);
    expect(out.stdout()).toBe('a --b');
  });
});

describe('lazyCommand', () => {
  it('loads the command on the first run only, and not for the usage text', async () => {
    let loads = 0;
    const lazy = lazyCommand(echo.summary, async () => {
      loads += 1;
      return echo;
    });
    const out = captureIo();
    await runCli({ program: 'tool', commands: { echo: lazy }, argv: ['--help'], io: out.io });
    expect(loads).toBe(0);
    expect(out.stdout()).toBe(USAGE);
    expect(await lazy.run(['x'], out.io)).toBe(7);
    expect(await lazy.run(['y'], out.io)).toBe(7);
    expect(await lazy.load()).toBe(echo);
    expect(loads).toBe(1);
    expect(out.stdout()).toBe(`${USAGE}xy`);
  });
});
