import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../test/harness/cli-run.js';
import { COMMANDS, main } from './cli.js';

/** Runs `exercise-consumer …` in this process and collects what it printed. */
const consumer = (...argv: string[]) => runCliInProcess(main, argv, {});

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
/** The built program (the vitest global set-up builds it): what `--help` costs is what users pay. */
const built = path.resolve(here, '../dist');

/**
 * Runs `main` for each argv in a fresh Node process, then imports `thenImport`, and reports which
 * CommonJS packages of interest were loaded before and after that import.
 */
async function loadedPackages(
  argvs: string[][],
  thenImport: string,
): Promise<{ before: string[]; after: string[] }> {
  const script = `
    import { createRequire } from 'node:module';
    import { PassThrough } from 'node:stream';
        const { main } = await import(${JSON.stringify(pathToFileURL(path.join(built, 'cli.js')).href)});
    const heavy = () => [...new Set(Object.keys(createRequire(import.meta.url).cache)
      .map((file) => file.match(/node_modules\\/(pg|@aws-sdk\\/[^/]+|sqs-consumer)\\//)?.[1])
      .filter(Boolean))].sort();
    for (const argv of ${JSON.stringify(argvs)}) {
      const sink = new PassThrough().resume();
      const code = await main(argv, { stdout: sink, stderr: sink, env: process.env });
      if (code !== 0) throw new Error(argv.join(' ') + ' exited ' + code);
    }
    const before = heavy();
    await import(${JSON.stringify(pathToFileURL(thenImport).href)});
    process.stdout.write(JSON.stringify({ before, after: heavy() }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot,
    timeout: 30_000,
  });
  return JSON.parse(stdout);
}

describe('exercise-consumer command table', () => {
  it('shows the summary of the command each entry loads', async () => {
    for (const [name, entry] of Object.entries(COMMANDS)) {
      expect((await entry.load()).summary, name).toBe(entry.summary);
    }
  });

  it('prints the usage and the compose help without importing pg or the AWS SDK', async () => {
    const loaded = await loadedPackages(
      [['--help'], ['compose', '--help']],
      path.join(built, 'cli/exercise-source.js'),
    );
    expect(loaded.before).toEqual([]);
    // The S3 source does load the SDK: the check above would see it.
    expect(loaded.after).toContain('@aws-sdk/client-s3');
  }, 40_000);
});

describe('exercise-consumer command lines', () => {
  it("prints each command's help on stdout with exit 0", async () => {
    for (const name of Object.keys(COMMANDS)) {
      const help = await consumer(name, '--help');
      expect(help.code, name).toBe(0);
      expect(help.stdout, name).toMatch(new RegExp(`^usage: exercise-consumer ${name}`));
      expect(help.stderr, name).toBe('');
    }
  });

  it('refuses an unknown flag, a missing value and a bad number with exit 2, naming the flag', async () => {
    const unknown = await consumer('dlq', 'list', '--colour');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^unknown flag --colour: it takes --all, --yes, --json; see --help\n\nusage: exercise-consumer dlq/,
    );
    const missing = await consumer('import', 'a.mp4', '--exercise');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^--exercise needs a value: --exercise <slug>; see --help\n/);
    const minAge = await consumer('reconcile', '--min-age', 'soon');
    expect(minAge.code).toBe(2);
    expect(minAge.stderr).toMatch(/^--min-age expects whole seconds such as 900, got "soon"\n/);
    const port = await consumer('run', '--port', 'x');
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(
      /^--port expects a TCP port 1-65535 \(0: any free port\), got "x"\n\nusage: exercise-consumer run/,
    );
    const extra = await consumer('run', 'now');
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/^unexpected argument "now": run takes no arguments; see --help\n/);
  });

  it('answers a refused command line with the JSON error document when --json is given', async () => {
    const refused = await consumer('sweep', '--json', '--dry-run');
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toEqual({
      error: {
        code: 'INPUT_REFUSED',
        message: 'unknown flag --dry-run: it takes --json; see --help',
        reasons: [{ field: '--dry-run', message: 'unknown flag --dry-run: it takes --json; see --help' }],
      },
    });
    const compose = await consumer('compose', '--bundle', 'b', '--asset-version', 'v2', '--json');
    expect(compose.code).toBe(2);
    expect(JSON.parse(compose.stdout).error.reasons).toEqual([
      { field: '--asset-version', message: '--asset-version expects a whole number >= 0, got "v2"' },
    ]);
  });
});
