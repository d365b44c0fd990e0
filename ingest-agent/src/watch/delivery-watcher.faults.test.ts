import { watch as fsWatch } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { useWatchDrop, writeDelivery } from '@exercise-pipeline/test/agent';
import { waitFor } from '@exercise-pipeline/test/harness';
import { describe, expect, it } from 'vitest';
import type { WatchFolder } from './dir-watch-source.js';

const drop = useWatchDrop();

describe('DeliveryWatcher under faults (native mode)', () => {
  it('falls back to polling when the system refuses more watches (ENOSPC), and still ingests', async () => {
    await writeDelivery(drop.path, '010 Existing', { 'Existing - Intro.mp4': drop.media.mp4 });
    let watches = 0;
    // The drop dir gets its watch; the next folder finds the inotify table full.
    const watchFolder: WatchFolder = (dir, listener) => {
      watches += 1;
      if (watches > 1) {
        throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), {
          code: 'ENOSPC',
        });
      }
      return fsWatch(dir, listener);
    };
    const run = await drop.watch({ watchFolder, rescanSeconds: 3600, pollIntervalSeconds: 0.2 });
    expect(run.watcher.mode).toBe('scan-poll');
    const [modeChange] = run.events.filter((event) => event.name === 'watcher:mode');
    expect(modeChange?.payload).toMatchObject({ mode: 'scan-poll' });
    expect(String(modeChange?.payload.reason)).toContain('ENOSPC');
    await waitFor('the existing delivery', () => run.callsFor('010 Existing').length === 1);
    await writeDelivery(drop.path, '011 Later', { 'Later - Intro.mp4': drop.media.mp4 });
    await waitFor('the delivery added after the fallback', () => run.callsFor('011 Later').length === 1);
    expect(run.events.filter((event) => event.name === 'watcher:error')).toEqual([]);
  });

  it('finds by its periodic rescan what the native events missed', async () => {
    // Watches that never report anything, as when events are lost.
    const deaf: WatchFolder = (dir) => fsWatch(dir, () => undefined);
    const run = await drop.watch({ watchFolder: deaf, rescanSeconds: 0.5 });
    expect(run.watcher.mode).toBe('native');
    await writeDelivery(drop.path, '012 Missed', { 'Missed - Intro.mp4': drop.media.mp4 });
    await waitFor('the rescan to find the delivery', () => run.callsFor('012 Missed').length === 1);
    expect(run.watcher.status().lastScanAt).not.toBeNull();
  });

  it('sets its watches up again when the drop dir is removed and recreated', async () => {
    // No rescan during the test: after the return only the native watches can see a new delivery.
    const run = await drop.watch({ rescanSeconds: 3600 });
    const away = `${drop.path}.away`;
    try {
      await rename(drop.path, away);
      await waitFor('the loss', () => run.events.some((e) => e.name === 'watcher:drop-dir'));
      expect(run.watcher.status()).toMatchObject({ watching: false, dropDirAvailable: false });
      await mkdir(drop.path);
      await waitFor('the return', () => run.events.filter((e) => e.name === 'watcher:drop-dir').length === 2);
      expect(run.events.filter((e) => e.name === 'watcher:drop-dir').map((e) => e.payload.available)).toEqual(
        [false, true],
      );
      expect(run.watcher.status()).toMatchObject({ watching: true, dropDirAvailable: true, mode: 'native' });
      await writeDelivery(drop.path, '013 After', { 'After - Intro.mp4': drop.media.mp4 });
      await waitFor('the delivery in the recreated folder', () => run.callsFor('013 After').length === 1);
      expect(run.events.filter((e) => e.name === 'watcher:error')).toEqual([]);
    } finally {
      await rm(away, { recursive: true, force: true });
    }
  });
});
