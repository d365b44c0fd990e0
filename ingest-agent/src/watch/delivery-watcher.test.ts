import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sleep } from '@exercise-pipeline/shared';
import { movingIngest, useWatchDrop, type WatchRun, writeDelivery } from '@exercise-pipeline/test/agent';
import { waitFor } from '@exercise-pipeline/test/harness';
import { describe, expect, it } from 'vitest';

const drop = useWatchDrop();
let run: WatchRun | undefined;

/** Appends to `file` every `everyMs` for `forMs`; resolves with the time of the last append. */
async function keepGrowing(file: string, everyMs: number, forMs: number): Promise<number> {
  const end = performance.now() + forMs;
  let last = performance.now();
  while (performance.now() < end) {
    await appendFile(file, 'x'.repeat(1024));
    last = performance.now();
    await sleep(everyMs);
  }
  return last;
}

describe('DeliveryWatcher settling', () => {
  it('picks up a delivery already in the drop dir, ingests it once, and forgets it once the ingest moved it to processed/', async () => {
    await writeDelivery(drop.path, '001 Squat', {
      'Squat - Intro.mp4': drop.media.mp4,
      'Squat 1-20 Stanga.mp3': drop.media.mp3,
    });
    run = await drop.watch({ ingest: movingIngest('done', 'processed') });
    await waitFor('the ingest', () => run?.calls.length === 1);
    const [call] = run.calls;
    expect(call?.delivery).toBe('001 Squat');
    expect(call?.files.map((file) => file.path)).toEqual(['Squat - Intro.mp4', 'Squat 1-20 Stanga.mp3']);
    await waitFor('the ingested event', () => run?.eventsFor('001 Squat', 'delivery:ingested').length === 1);
    expect(await readdir(drop.path)).toEqual(['processed']);
    expect(await readdir(path.join(drop.path, 'processed'))).toEqual(['001 Squat']);
    await sleep(2500); // two more settle periods: the processed folder must not come back
    expect(run.calls).toHaveLength(1);
    expect(run.events.filter((e) => e.name === 'watcher:error')).toEqual([]);
  });

  it('does not ingest a delivery while a file in it keeps growing, and ingests it once after it stops', async () => {
    run = await drop.watch();
    const folder = await writeDelivery(drop.path, '002 Lunge', {
      'Lunge - Intro.mp4': drop.media.mp4,
      'notes.txt': '',
    });
    const lastAppend = await keepGrowing(path.join(folder, 'notes.txt'), 300, 3000);
    expect(run.calls).toHaveLength(0);
    await waitFor('the ingest', () => run?.calls.length === 1);
    const [call] = run.calls;
    expect((call?.at ?? 0) - lastAppend).toBeGreaterThanOrEqual(1000);
    expect(call?.files.find((file) => file.path === 'notes.txt')?.size).toBe(
      (await readFile(path.join(folder, 'notes.txt'))).length,
    );
    await sleep(2500);
    expect(run.calls).toHaveLength(1);
  });

  it('lets junk neither delay settling nor reach the ingest', async () => {
    run = await drop.watch();
    const folder = await writeDelivery(drop.path, '003 Bridge', {
      'Bridge - Intro.mp4': drop.media.mp4,
      '.DS_Store': 'x',
      'Thumbs.db': 'x',
      'desktop.ini': 'x',
      '._Bridge - Intro.mp4': 'x',
      'upload.tmp': 'x',
      '.hidden/inside.mp4': 'not media at all',
      'audio/.DS_Store': 'x',
    });
    const started = performance.now();
    // A junk file that never stops growing must not hold the delivery back.
    const growing = keepGrowing(path.join(folder, 'Bridge - Outro.mp4.part'), 200, 4000);
    await waitFor('the ingest', () => run?.calls.length === 1, 15_000);
    expect(performance.now() - started).toBeLessThan(3900);
    expect(run.calls[0]?.files.map((file) => file.path)).toEqual(['Bridge - Intro.mp4']);
    await growing;
  });

  it('handles two deliveries independently: one is ingested while the other is still growing', async () => {
    run = await drop.watch();
    await writeDelivery(drop.path, '004 Plank', { 'Plank - Intro.mp4': drop.media.mp4 });
    const busy = await writeDelivery(drop.path, '005 Crunch', {
      'Crunch - Intro.mp4': drop.media.mp4,
      'log.txt': '',
    });
    const lastAppend = await keepGrowing(path.join(busy, 'log.txt'), 300, 3500);
    expect(run.callsFor('004 Plank')).toHaveLength(1);
    expect(run.callsFor('005 Crunch')).toHaveLength(0);
    expect(run.callsFor('004 Plank')[0]?.at ?? Number.POSITIVE_INFINITY).toBeLessThan(lastAppend);
    await waitFor('the second ingest', () => run?.callsFor('005 Crunch').length === 1);
  });

  it('does not ingest a half-copied mp4, and ingests it once the copy completes', async () => {
    run = await drop.watch();
    const half = drop.media.mp4.subarray(0, Math.floor(drop.media.mp4.length / 2));
    const folder = await writeDelivery(drop.path, '006 Squat', { 'Squat - Intro.mp4': half });
    await waitFor(
      'the incomplete event',
      () => run?.eventsFor('006 Squat', 'delivery:incomplete').length === 1,
    );
    const [incomplete] = run.eventsFor('006 Squat', 'delivery:incomplete');
    expect(incomplete?.payload.problems).toEqual([
      { file: 'Squat - Intro.mp4', problem: expect.stringContaining('ffprobe') },
    ]);
    await sleep(2000);
    expect(run.calls).toHaveLength(0);
    await appendFile(path.join(folder, 'Squat - Intro.mp4'), drop.media.mp4.subarray(half.length));
    await waitFor('the ingest after the copy finished', () => run?.calls.length === 1);
    expect(run.calls[0]?.files[0]?.size).toBe(drop.media.mp4.length);
  });

  it('does not pass on an empty delivery folder', async () => {
    run = await drop.watch();
    await writeDelivery(drop.path, '007 Empty', {});
    await waitFor(
      'the incomplete event',
      () => run?.eventsFor('007 Empty', 'delivery:incomplete').length === 1,
    );
    await writeFile(path.join(drop.path, '007 Empty', 'Empty - Intro.mp4'), drop.media.mp4);
    await waitFor('the ingest once a file arrived', () => run?.calls.length === 1);
  });
});
