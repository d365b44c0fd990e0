import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { LazyCliCommand } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../test/harness/cli-run.js';
import { COMMANDS, main } from './cli.js';

/** Runs `exercise-agent …` in this process and collects what it printed. */
const agent = (...argv: string[]) => runCliInProcess(main, argv, {});

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
/** The built program (the vitest global set-up builds it): what `--help` costs is what users pay. */
const built = path.resolve(here, '../dist');

/**
 * Runs `main` for each argv in a fresh Node process, then imports `thenImport`, and reports which
 * AWS SDK packages were loaded before and after that import.
 */
async function loadedSdkPackages(
  argvs: string[][],
  thenImport: string,
): Promise<{ before: string[]; after: string[] }> {
  const script = `
    import { createRequire } from 'node:module';
    import { PassThrough } from 'node:stream';
        const { main } = await import(${JSON.stringify(pathToFileURL(path.join(built, 'cli.js')).href)});
    const sdk = () => [...new Set(Object.keys(createRequire(import.meta.url).cache)
      .map((file) => file.match(/node_modules\\/(@aws-sdk\\/[^/]+)\\//)?.[1])
      .filter(Boolean))].sort();
    for (const argv of ${JSON.stringify(argvs)}) {
      const sink = new PassThrough().resume();
      const code = await main(argv, { stdout: sink, stderr: sink, env: process.env });
      if (code !== 0) throw new Error(argv.join(' ') + ' exited ' + code);
    }
    const before = sdk();
    await import(${JSON.stringify(pathToFileURL(thenImport).href)});
    process.stdout.write(JSON.stringify({ before, after: sdk() }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot,
    timeout: 30_000,
  });
  return JSON.parse(stdout);
}

describe('exercise-agent command table', () => {
  it('shows the summary of the command each lazy entry loads', async () => {
    const lazy = Object.entries(COMMANDS).filter(
      (entry): entry is [string, LazyCliCommand] => 'load' in entry[1],
    );
    expect(lazy.map(([name]) => name).sort()).toEqual(['ingest', 'plan', 'validate']);
    for (const [name, entry] of lazy) {
      expect((await entry.load()).summary, name).toBe(entry.summary);
    }
  });

  it('prints the usage and the plan and validate help without importing the AWS SDK', async () => {
    const loaded = await loadedSdkPackages(
      [['--help'], ['plan', '--help'], ['validate', '--help']],
      path.join(built, 'cli/ingest-command.js'),
    );
    expect(loaded.before).toEqual([]);
    // ingest does load the SDK: the check above would see it.
    expect(loaded.after).toContain('@aws-sdk/client-s3');
  }, 40_000);
});

describe('exercise-agent command lines', () => {
  it('refuses a flag the command does not take and a second folder with exit 2, naming them', async () => {
    const typo = await agent('ingest', here, '--dryrun');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /^unknown flag --dryrun \(did you mean --dry-run\?\); see --help\n\nusage: exercise-agent ingest/,
    );
    const prune = await agent('validate', here, '--prune');
    expect(prune.code).toBe(2);
    expect(prune.stderr).toMatch(/^unknown flag --prune: it takes --json; see --help\n/);
    const two = await agent('plan', '001', 'Squat');
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/^expected one folder, got 2: "001" "Squat"; quote a name with spaces\n/);
    const missing = await agent('ingest', here, '--config');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^--config needs a value: --config F; see --help\n/);
  });

  it("prints each command's help on stdout with exit 0", async () => {
    for (const name of ['plan', 'ingest', 'validate', 'watch']) {
      const help = await agent(name, '--help');
      expect(help.code, name).toBe(0);
      expect(help.stdout, name).toMatch(new RegExp(`^usage: exercise-agent ${name} `));
      expect(help.stderr, name).toBe('');
    }
  });

  it('answers a refused command line with the JSON error document when --json is given', async () => {
    const missing = await agent('plan', '--json');
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toEqual({
      error: {
        code: 'INPUT_REFUSED',
        message: 'the delivery folder is missing',
        reasons: [{ field: 'arguments', message: 'the delivery folder is missing' }],
      },
    });
    const typo = await agent('validate', here, '--json', '--jsn');
    expect(typo.code).toBe(2);
    expect(JSON.parse(typo.stdout).error.reasons).toEqual([
      { field: '--jsn', message: 'unknown flag --jsn (did you mean --json?); see --help' },
    ]);
  });

  it('reports a failure with --json as the JSON error document too (exit 1)', async () => {
    const config = path.join(here, 'no-such-agent.json');
    const failed = await agent('plan', here, '--config', config, '--json');
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toEqual({
      error: {
        code: 'AGENT_CONFIG_INVALID',
        message: expect.stringContaining(`${config}: cannot be read (ENOENT)`),
      },
    });
    expect(failed.stderr).toContain(`${config}: cannot be read (ENOENT)`);
  });
});
