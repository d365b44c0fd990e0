import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIo } from '@exercise-pipeline/shared';
import { writeDelivery } from '@exercise-pipeline/test/agent';
import { createTempDir, type TempDir, trackResource, waitFor } from '@exercise-pipeline/test/harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outcomesFileIn, runWatchCommand } from './watch-command.js';
import type { IngestRequest } from './watch-events.js';

let root: TempDir;
beforeEach(async () => {
  root = await createTempDir('watch-command');
});
afterEach(async () => {
  await root.remove();
});

function captureIo(env: NodeJS.ProcessEnv): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += String(chunk);
  });
  stderr.on('data', (chunk) => {
    err += String(chunk);
  });
  return { stdout, stderr, env, out: () => out, err: () => err };
}

describe('watch command', () => {
  it('refuses bad arguments and a missing drop folder with exit 2, naming the problem', async () => {
    const io = captureIo({});
    expect(await runWatchCommand(['--poll'], io)).toBe(2);
    expect(io.err()).toContain('the drop folder is missing');
    const missing = path.join(root.path, 'nowhere');
    expect(await runWatchCommand([missing], io)).toBe(2);
    expect(io.err()).toContain(`${missing} does not exist`);
    expect(await runWatchCommand([root.path, '--engine', 'inotify'], io)).toBe(2);
    expect(io.err()).toContain('--engine expects builtin or chokidar');
  });

  it('fails with exit 1 and the file named when the config file is invalid', async () => {
    const config = path.join(root.path, 'agent.json');
    await writeFile(config, '{"settleSeconds": "soon"}');
    const io = captureIo({ DATA_DIR: path.join(root.path, 'data') });
    expect(
      await runWatchCommand([root.path, '--config', config], io, {
        ingest: async () => ({ status: 'done' }),
      }),
    ).toBe(1);
    expect(io.err()).toContain(`${config}: settleSeconds: expected a number of seconds`);
  });

  it('watches until stopped, ingesting what settles and remembering refusals under DATA_DIR', async () => {
    const drop = path.join(root.path, 'drop');
    const dataDir = path.join(root.path, 'data');
    await writeDelivery(drop, '001 Squat', { 'notes.txt': 'x', '.DS_Store': 'junk' });
    const calls: IngestRequest[] = [];
    const controller = new AbortController();
    const config = path.join(root.path, 'quick.json');
    await writeFile(config, '{"settleSeconds": 0.5}');
    // SETTLE_SECONDS is the consumer's setting: the agent must not take it over its own config.
    const io = captureIo({ DATA_DIR: dataDir, SETTLE_SECONDS: '3600', LOG_LEVEL: 'info' });
    const exit = runWatchCommand([drop, '--poll', '--config', config], io, {
      signal: controller.signal,
      ingest: async (request) => {
        calls.push(request);
        return { status: 'refused' };
      },
    });
    const tracked = trackResource('watcher', `watch command ${drop}`, async () => {
      controller.abort();
      await exit;
    });
    await waitFor('the ingest', () => calls.length === 1);
    expect(calls[0]?.files.map((file) => file.path)).toEqual(['notes.txt']);
    await waitFor('the refusal to be remembered', () => io.err().includes('ingest refused the delivery'));
    const outcomes = JSON.parse(await readFile(outcomesFileIn(dataDir), 'utf8'));
    expect(outcomes.deliveries[path.join(drop, '001 Squat')]).toMatchObject({ status: 'refused' });
    await tracked.close();
    expect(await exit).toBe(0);
    expect(io.err()).toContain('"mode":"scan-poll"');
    // Without AGENT_NOTICES_QUEUE_URL the preview lines are off, said once.
    expect(io.err().split('AGENT_NOTICES_QUEUE_URL is not set')).toHaveLength(2);
  });
});
