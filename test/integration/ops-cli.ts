import { fileURLToPath } from 'node:url';
import { type CliRun, CONSUMER_BIN, runCliInProcess, runCliProcess } from '../harness/index.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Where and with what a consumer child runs: the repo root, only `env` plus PATH and HOME, warnings. */
export function consumerChildSpawn(env: Record<string, string>): {
  cwd: string;
  env: Record<string, string>;
} {
  return {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
  };
}

/**
 * Runs the built `exercise-consumer <args>` as its own process, the way an operator does, with only the given
 * environment (plus PATH and HOME) so nothing leaks in from the test worker.
 */
export function runConsumerCli(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<CliRun> {
  return runCliProcess(process.execPath, [CONSUMER_BIN, ...args], {
    ...consumerChildSpawn(env),
    label: `exercise-consumer ${args.join(' ')}`,
    timeoutMs,
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
  const { main } = await import('@exercise-pipeline/render-consumer/program');
  return runCliInProcess(main, args, { LOG_LEVEL: 'warn', ...env });
}
