/**
 * `consumer run` as its own process group, the way an operator starts it, for tests that need the
 * real program: its stderr, its exit code, and what it holds (the embedded catalog) while it runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { killProcessGroup, trackResource } from '../harness/index.js';
import { waitFor } from './consumer-helpers.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface ConsumerChild {
  child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `consumer run` with only `env` (plus PATH and HOME) and waits for its banner. */
export async function startConsumerRun(
  env: Record<string, string>,
  label = 'consumer run',
): Promise<ConsumerChild> {
  const child = spawn(`${repoRoot}node_modules/.bin/tsx`, [`${repoRoot}render-consumer/src/cli.ts`, 'run'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    // tsx runs the program in a child of its own: the whole group is what gets killed.
    detached: true,
  });
  const tracked = trackResource('process', label, () => killProcessGroup(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = once(child, 'exit').then(([code]) => {
    tracked.release();
    return code as number | null;
  });
  await waitFor(
    `${label} to listen`,
    async () => {
      if (child.exitCode !== null) throw new Error(`${label} exited early: ${stderr}`);
      return stderr.includes('render consumer listening on');
    },
    60_000,
    100,
  );
  return {
    child,
    stderr: () => stderr,
    exited,
    stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
