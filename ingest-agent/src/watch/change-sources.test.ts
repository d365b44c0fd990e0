import { appendFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sleep } from '@exercise-pipeline/shared';
import { createTempDir, type TempDir, trackResource, waitFor } from '@exercise-pipeline/test/harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_JUNK } from '../rules/default-rules.js';
import { type ChangeSource, createChokidarSource, type FileEventType } from './change-source.js';
import { DirWatchSource } from './dir-watch-source.js';
import { createIgnoreMatcher, createLocationFilter } from './drop-layout.js';
import { RescanningSource } from './rescanning-source.js';
import { ScanPoller } from './scan-poller.js';

let drop: TempDir;
beforeEach(async () => {
  drop = await createTempDir('watch-source');
});
afterEach(async () => {
  await drop.remove();
});

const isIgnored = createLocationFilter(DEFAULT_JUNK);
const SOURCES: [string, (dir: string) => ChangeSource][] = [
  ['per-folder fs.watch', (dir) => new DirWatchSource(dir, { isIgnored })],
  ['per-folder fs.watch with rescans', (dir) => new RescanningSource(dir, { isIgnored, rescanMs: 100 })],
  ['directory scan', (dir) => new ScanPoller(dir, { isIgnored, intervalMs: 100 })],
  [
    'chokidar native',
    (dir) => createChokidarSource(dir, { ignored: createIgnoreMatcher(dir, DEFAULT_JUNK) }),
  ],
  [
    'chokidar polling',
    (dir) =>
      createChokidarSource(dir, {
        usePolling: true,
        intervalMs: 100,
        ignored: createIgnoreMatcher(dir, DEFAULT_JUNK),
      }),
  ],
];

async function startSource(create: (dir: string) => ChangeSource) {
  const events: string[] = [];
  const errors: Error[] = [];
  const source = create(drop.path);
  const tracked = trackResource('watcher', `${source.mode} ${drop.path}`, () => source.close());
  await source.start({
    onEvent: (type: FileEventType, file: string) => events.push(`${type} ${path.relative(drop.path, file)}`),
    onError: (error) => errors.push(error),
  });
  return { source, events, errors, close: () => tracked.close() };
}

describe.each(SOURCES)('change source: %s', (_label, create) => {
  it('reports existing content, new folders and files, writes and removals, but no junk', async () => {
    await mkdir(path.join(drop.path, 'A'));
    await writeFile(path.join(drop.path, 'A', 'x.txt'), 'x');
    const run = await startSource(create);
    expect(run.events).toEqual(expect.arrayContaining(['addDir A', `add ${path.join('A', 'x.txt')}`]));

    await mkdir(path.join(drop.path, 'B', 'audio'), { recursive: true });
    await writeFile(path.join(drop.path, 'B', 'audio', 'vo.mp3'), 'vo');
    await writeFile(path.join(drop.path, 'B', '.DS_Store'), 'junk');
    const newFile = `add ${path.join('B', 'audio', 'vo.mp3')}`;
    await waitFor('the new file', () => run.events.includes(newFile), 10_000);

    await sleep(150); // a separate write, so mtime-based polling sees a change
    await appendFile(path.join(drop.path, 'A', 'x.txt'), 'more');
    await waitFor('the write', () => run.events.includes(`change ${path.join('A', 'x.txt')}`), 10_000);

    await rm(path.join(drop.path, 'A'), { recursive: true });
    await waitFor('the removal', () => run.events.includes('unlinkDir A'), 10_000);
    await sleep(300);
    expect(run.events.filter((event) => event.includes('.DS_Store'))).toEqual([]);
    expect(run.errors).toEqual([]);
    await run.close();
  });
});

describe('ScanPoller', () => {
  it('reports a vanished drop dir once (not per scan, not as an error), and not as every delivery removed', async () => {
    const share = path.join(drop.path, 'share');
    await mkdir(path.join(share, 'A'), { recursive: true });
    await writeFile(path.join(share, 'A', 'x.txt'), 'x');
    const events: string[] = [];
    const errors: Error[] = [];
    const changes: { available: boolean; problem?: string }[] = [];
    const poller = new ScanPoller(share, { isIgnored, intervalMs: 100 });
    const tracked = trackResource('watcher', `scan ${share}`, () => poller.close());
    await poller.start({
      onEvent: (type, file) => events.push(`${type} ${file}`),
      onError: (e) => errors.push(e),
      onDropDir: (change) => changes.push(change),
    });
    events.length = 0;
    await rename(share, `${share}-unmounted`);
    await waitFor('the loss', () => changes.length > 0, 10_000);
    await sleep(500); // several scans
    expect(changes).toEqual([{ available: false, problem: expect.stringContaining('ENOENT') }]);
    expect(poller.status().dropDirAvailable).toBe(false);
    await rename(`${share}-unmounted`, share);
    await waitFor('the return', () => changes.length === 2, 10_000);
    expect(changes[1]).toEqual({ available: true });
    await sleep(400);
    expect(events).toEqual([]);
    expect(errors).toEqual([]);
    await tracked.close();
  });
});
