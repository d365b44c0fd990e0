import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { DeliveryWatcher } from '@exercise-pipeline/ingest-agent/watch';
import { runWatchCommand } from '@exercise-pipeline/ingest-agent/watch';
import { trackResource } from '../harness/index.js';

/** One JSON log line of the agent. */
export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface WatchDaemon {
  /** Every log line so far, parsed (lines that are not JSON are kept as `{ msg: line }`). */
  logs(): LogRecord[];
  /** The raw stderr text. */
  stderr(): string;
  watcher(): DeliveryWatcher | undefined;
  /** Stops it like SIGTERM and resolves with the exit code. */
  stop(): Promise<number>;
}

/**
 * Runs `exercise-agent watch <drop> --config <file>` in this process against the test's endpoint,
 * with the agent config written from `config` (short intervals for tests); stopped after the test.
 */
export async function startWatchDaemon(options: {
  drop: string;
  root: string;
  env: Record<string, string>;
  config: Record<string, unknown>;
  args?: string[];
}): Promise<WatchDaemon> {
  const configPath = join(options.root, `watch-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(configPath, JSON.stringify(options.config));
  const stderr = new PassThrough();
  const stdout = new PassThrough();
  let text = '';
  stderr.on('data', (chunk) => {
    text += String(chunk);
  });
  stdout.resume();
  const controller = new AbortController();
  let watcher: DeliveryWatcher | undefined;
  const exit = runWatchCommand(
    [options.drop, '--config', configPath, ...(options.args ?? [])],
    { stdout, stderr, env: { ...options.env, LOG_LEVEL: 'info' } },
    {
      signal: controller.signal,
      onReady: (ready) => {
        watcher = ready;
      },
    },
  );
  const tracked = trackResource('watcher', `watch command ${options.drop}`, async () => {
    controller.abort();
    await exit;
  });
  return {
    logs: () =>
      text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          try {
            return JSON.parse(line) as LogRecord;
          } catch {
            return { level: 0, msg: line };
          }
        }),
    stderr: () => text,
    watcher: () => watcher,
    stop: async () => {
      await tracked.close();
      return exit;
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until true; fails naming `what` after `timeoutMs` (generous: the machine is shared). */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}
