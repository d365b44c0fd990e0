/**
 * `consumer run` as its own process group, the way an operator starts it, for tests that need the
 * real program: its stderr, its exit code, and what it holds (the embedded catalog) while it runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { CONSUMER_BIN, killProcessGroup, trackResource } from '../harness/index.js';
import { waitFor } from './consumer-helpers.js';
import { consumerChildSpawn } from './ops-cli.js';

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
  const child = spawn(process.execPath, [CONSUMER_BIN, 'run'], {
    ...consumerChildSpawn(env),
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group, killed as a whole, the way a service manager stops it.
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
