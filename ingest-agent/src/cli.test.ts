import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { LazyCliCommand } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './cli.js';

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
