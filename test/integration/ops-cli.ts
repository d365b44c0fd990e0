import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { trackResource } from '../harness/index.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const TSX = `${repoRoot}node_modules/.bin/tsx`;
const CLI = `${repoRoot}render-consumer/src/cli.ts`;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `exercise-consumer <args>` as its own process, the way an operator does, with only the given
 * environment (plus PATH and HOME) so nothing leaks in from the test worker. stdin is a pipe, never
 * a terminal, like a script or CI job.
 */
export function runConsumerCli(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<CliRun> {
  const child = spawn(TSX, [CLI, ...args], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const tracked = trackResource('process', `exercise-consumer ${args.join(' ')}`, () => {
    child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      tracked.release();
      resolve({ code, stdout, stderr });
    });
  });
}

/** The one JSON document a `--json` run printed, with stderr in the error when it is not JSON. */
export function jsonOf<T = unknown>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(
      `expected JSON on stdout (exit ${run.code}); stdout: ${run.stdout}\nstderr: ${run.stderr}`,
    );
  }
}

/** Runs a command in this process (faster than a child) with output captured. */
export async function runConsumerInProcess(
  args: readonly string[],
  env: Record<string, string>,
): Promise<CliRun> {
  const { main } = await import('../../render-consumer/src/cli.js');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const code = await main(args, { stdout, stderr, env: { LOG_LEVEL: 'warn', ...env } });
  // Let the streams hand over what was written last.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out, stderr: err };
}
