import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIo } from '@exercise-pipeline/shared';
import { writeDelivery } from '@exercise-pipeline/test/agent';
import { createTempDir, type TempDir, trackResource, waitFor } from '@exercise-pipeline/test/harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentIdentity } from '../ingest/prior-verdict.js';
import { scanDelivery } from '../ingest/scan-delivery.js';
import { deliveryIdOf, Journal } from '../journal/journal.js';
import { runWatchCommand, type WatchCommandDeps } from './watch-command.js';
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

  it('watches until stopped, ingesting what settles, and after a restart leaves alone what the journal under DATA_DIR holds as refused', async () => {
    const drop = path.join(root.path, 'drop');
    const dataDir = path.join(root.path, 'data');
    await writeDelivery(drop, '001 Squat', { 'notes.txt': 'x', '.DS_Store': 'junk' });
    const calls: IngestRequest[] = [];
    const config = path.join(root.path, 'quick.json');
    await writeFile(config, '{"settleSeconds": 0.5}');
    // Refuses, and journals the verdict as ingestDelivery does.
    const refuse: WatchCommandDeps['ingest'] = async (request, context) => {
      calls.push(request);
      const scan = await scanDelivery(request.folder);
      await new Journal(context.env.dataDir).put({
        version: 1,
        deliveryId: deliveryIdOf(request.folder),
        folder: request.folder,
        signature: contentIdentity(scan, context.config).signature,
        state: 'refused',
        exercise: null,
      });
      return { status: 'refused' };
    };
    const start = () => {
      const controller = new AbortController();
      // SETTLE_SECONDS is the consumer's setting: the agent must not take it over its own config.
      const io = captureIo({ DATA_DIR: dataDir, SETTLE_SECONDS: '3600', LOG_LEVEL: 'info' });
      const exit = runWatchCommand([drop, '--poll', '--config', config], io, {
        signal: controller.signal,
        ingest: refuse,
      });
      const tracked = trackResource('watcher', `watch command ${drop}`, async () => {
        controller.abort();
        await exit;
      });
      return { io, exit, tracked };
    };

    const first = start();
    await waitFor('the ingest', () => calls.length === 1);
    expect(calls[0]?.files.map((file) => file.path)).toEqual(['notes.txt']);
    await waitFor('the refusal', () => first.io.err().includes('ingest refused the delivery'));
    await first.tracked.close();
    expect(await first.exit).toBe(0);
    expect(first.io.err()).toContain('"mode":"scan-poll"');
    // Without AGENT_NOTICES_QUEUE_URL the preview lines are off, said once.
    expect(first.io.err().split('AGENT_NOTICES_QUEUE_URL is not set')).toHaveLength(2);

    const second = start();
    await waitFor('the unchanged delivery', () =>
      second.io.err().includes('delivery unchanged since it was last handled'),
    );
    expect(calls).toHaveLength(1);
    await second.tracked.close();
    expect(await second.exit).toBe(0);
  });
});
