import { appendFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sleep } from '@exercise-pipeline/shared';
import { movingIngest, useWatchDrop, writeDelivery } from '@exercise-pipeline/test/agent';
import { waitFor } from '@exercise-pipeline/test/harness';
import { describe, expect, it } from 'vitest';
import { DeliveryWatcher, DropDirError } from './delivery-watcher.js';
import type { DeliveryChecked } from './delivery-watcher-options.js';
import type { IngestRequest } from './watch-events.js';

const drop = useWatchDrop();

describe('DeliveryWatcher outcomes', () => {
  it('never looks into processed/ or rejected/', async () => {
    await writeDelivery(drop.path, 'processed/001 Old', { 'Old - Intro.mp4': drop.media.mp4 });
    await writeDelivery(drop.path, 'rejected/002 Bad', { 'Bad - Intro.mp4': drop.media.mp4 });
    const run = await drop.watch();
    await writeDelivery(drop.path, '003 New', { 'New - Intro.mp4': drop.media.mp4 });
    await waitFor('the new delivery', () => run.calls.length === 1);
    await appendFile(path.join(drop.path, 'rejected', '002 Bad', 'Bad - Intro.mp4'), 'more');
    await sleep(2000);
    expect(run.calls.map((call) => call.delivery)).toEqual(['003 New']);
    expect(run.events.filter((e) => e.name === 'delivery:seen').map((e) => e.payload.delivery)).toEqual([
      '003 New',
    ]);
  });

  it('does not hand over a delivery refused with this content until a file in it changes, not even after a restart', async () => {
    // Stands in for the ingest's journal, which outlives the watcher.
    const judged = new Map<string, string>();
    const folder = await writeDelivery(drop.path, '004 Squat', { 'Squat - Intro.mp4': drop.media.mp4 });
    const refuse = async (request: IngestRequest) => {
      judged.set(request.folder, request.signature);
      return { status: 'refused' as const };
    };
    const priorVerdict = async ({ folder: at, signature }: DeliveryChecked) =>
      judged.get(at) === signature ? ('refused' as const) : undefined;
    const first = await drop.watch({ ingest: refuse, priorVerdict });
    await waitFor('the refusal', () => first.eventsFor('004 Squat', 'delivery:refused').length === 1);
    // The report the ingest writes for the team is no change to the delivery.
    await writeFile(path.join(folder, '_REPORT.txt'), 'Refused: no outro');
    await sleep(2500);
    expect(first.calls).toHaveLength(1);
    await first.stop();

    const second = await drop.watch({ ingest: refuse, priorVerdict });
    await waitFor(
      'the unchanged event',
      () => second.eventsFor('004 Squat', 'delivery:unchanged').length === 1,
    );
    expect(second.calls).toHaveLength(0);
    await writeFile(path.join(folder, 'Squat - Outro.mp4'), drop.media.mp4);
    await waitFor('the retry after the fix', () => second.calls.length === 1);
    expect(second.calls[0]?.files.map((file) => file.path)).toEqual([
      'Squat - Intro.mp4',
      'Squat - Outro.mp4',
    ]);
    expect(await readdir(drop.path)).toEqual(['004 Squat']);
  });

  it('passes on where the ingest moved a refused delivery (rejected/) and forgets it', async () => {
    await writeDelivery(drop.path, '005 Bad', { 'Bad - Intro.mp4': drop.media.mp4 });
    const run = await drop.watch({ ingest: movingIngest('refused', 'rejected') });
    await waitFor('the refusal', () => run.eventsFor('005 Bad', 'delivery:refused').length === 1);
    const [refused] = run.eventsFor('005 Bad', 'delivery:refused');
    expect(refused?.payload.movedTo).toBe(path.join(drop.path, 'rejected', '005 Bad'));
    expect(await readdir(path.join(drop.path, 'rejected'))).toEqual(['005 Bad']);
    await sleep(2000);
    expect(run.calls).toHaveLength(1);
  });

  it.each([
    ['directory scan', 'builtin', 'scan-poll'],
    ['chokidar usePolling', 'chokidar', 'chokidar-poll'],
  ] as const)('works by polling (%s)', async (_label, engine, mode) => {
    const run = await drop.watch({ poll: true, engine, pollIntervalSeconds: 0.2 });
    expect(run.watcher.mode).toBe(mode);
    const folder = await writeDelivery(drop.path, '006 Poll', {
      'Poll - Intro.mp4': drop.media.mp4,
      'log.txt': '',
    });
    for (let i = 0; i < 6; i += 1) {
      await appendFile(path.join(folder, 'log.txt'), 'line\n');
      await sleep(300);
    }
    expect(run.calls).toHaveLength(0);
    await waitFor('the ingest', () => run.calls.length === 1);
    expect(run.calls[0]?.files.map((file) => file.path)).toEqual(['Poll - Intro.mp4', 'log.txt']);
  });

  it('runs at most maxConcurrentIngests at once', async () => {
    for (const name of ['007 A', '008 B', '009 C']) await writeDelivery(drop.path, name, { 'x.txt': name });
    const run = await drop.watch({
      maxConcurrentIngests: 2,
      ingest: () => sleep(600).then(() => ({ status: 'done' })),
    });
    await waitFor(
      'three ingests',
      () => run.events.filter((e) => e.name === 'delivery:ingested').length === 3,
    );
    expect(run.maxParallel()).toBe(2);
  });

  it('retries a failed ingest after retryFailedSeconds', async () => {
    await writeDelivery(drop.path, '010 Flaky', { 'x.txt': 'x' });
    let attempts = 0;
    const run = await drop.watch({
      retryFailedSeconds: 0.5,
      ingest: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('bucket unreachable');
        return { status: 'done' };
      },
    });
    await waitFor('the retry', () => run.eventsFor('010 Flaky', 'delivery:ingested').length === 1);
    const [failed] = run.eventsFor('010 Flaky', 'delivery:failed');
    expect(failed?.payload.error).toEqual(new Error('bucket unreachable'));
    expect(run.calls).toHaveLength(2);
  });

  it('lets a running ingest finish on stop, and aborts it once the grace period is over', async () => {
    await writeDelivery(drop.path, '011 Slow', { 'x.txt': 'x' });
    const graceful = await drop.watch({
      ingest: () => sleep(800).then(() => ({ status: 'done' })),
    });
    await waitFor('the ingest to start', () => graceful.calls.length === 1);
    expect(await graceful.watcher.stop()).toEqual({ unfinished: [] });
    expect(graceful.events.filter((e) => e.name === 'delivery:ingested')).toHaveLength(1);

    const stuck = await drop.watch({
      stopGraceSeconds: 0.3,
      ingest: ({ signal }) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    await waitFor('the ingest to start', () => stuck.calls.length === 1);
    const started = performance.now();
    await stuck.watcher.stop();
    expect(performance.now() - started).toBeLessThan(3000);
    expect(stuck.calls[0]?.signal.aborted).toBe(true);
  });

  it('refuses to start on a drop dir that does not exist, naming it', async () => {
    const missing = path.join(drop.path, 'no-such-share');
    const watcher = new DeliveryWatcher({ dropDir: missing, ingest: async () => ({ status: 'done' }) });
    await expect(watcher.start()).rejects.toThrow(DropDirError);
    await expect(
      new DeliveryWatcher({ dropDir: missing, ingest: async () => ({ status: 'done' }) }).start(),
    ).rejects.toThrow(`drop dir ${missing} does not exist`);
    await expect(watcher.start()).rejects.toThrow(/once/);
  });
});
