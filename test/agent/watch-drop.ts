import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DeliveryWatcher,
  type DeliveryWatcherOptions,
  type IngestReport,
  type IngestRequest,
  type WatchEvents,
} from '@exercise-pipeline/ingest-agent/watch';
import { runFfmpeg } from '@exercise-pipeline/shared';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { H264_FAST } from '../fixtures/media-spec.js';
import { trackResource } from '../harness/resources.js';
import { createTempDir, type TempDir } from '../harness/temp-dir.js';

/** A one-second mp4 and mp3, made once per test file with ffmpeg's generators. */
export interface MediaSamples {
  mp4: Buffer;
  mp3: Buffer;
}

export async function makeMediaSamples(dir: string): Promise<MediaSamples> {
  await mkdir(dir, { recursive: true });
  const mp4 = path.join(dir, 'sample.mp4');
  const mp3 = path.join(dir, 'sample.mp3');
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=10:duration=1', ...H264_FAST, mp4], {
    timeoutMs: 30_000,
  });
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'libmp3lame', mp3], {
    timeoutMs: 30_000,
  });
  return { mp4: await readFile(mp4), mp3: await readFile(mp3) };
}

/** Writes `files` (path inside the delivery → content) into `dropDir/name`. */
export async function writeDelivery(
  dropDir: string,
  name: string,
  files: Record<string, Buffer | string>,
): Promise<string> {
  const folder = path.join(dropDir, name);
  await mkdir(folder, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
    await writeFile(path.join(folder, file), content);
  }
  return folder;
}

/**
 * An ingest that answers `status` and moves the delivery into `into/` beside it, as the real
 * ingest does after telling the team (the watcher itself never moves a delivery).
 */
export function movingIngest(
  status: 'done' | 'refused',
  into: string,
): (request: IngestRequest) => Promise<IngestReport> {
  return async (request) => {
    const parent = path.join(path.dirname(request.folder), into);
    await mkdir(parent, { recursive: true });
    const movedTo = path.join(parent, request.delivery);
    await rename(request.folder, movedTo);
    return { status, movedTo };
  };
}

export interface IngestCall extends IngestRequest {
  /** performance.now() when the ingest started. */
  at: number;
}

export interface RecordedEvent {
  name: keyof WatchEvents;
  payload: { delivery?: string } & Record<string, unknown>;
  at: number;
}

export interface WatchRun {
  watcher: DeliveryWatcher;
  calls: IngestCall[];
  events: RecordedEvent[];
  /** Highest number of ingests that ran at the same time. */
  maxParallel: () => number;
  callsFor(delivery: string): IngestCall[];
  eventsFor(delivery: string, name: keyof WatchEvents): RecordedEvent[];
  stop(): Promise<void>;
}

const EVENT_NAMES: (keyof WatchEvents)[] = [
  'watcher:error',
  'watcher:drop-dir',
  'watcher:mode',
  'delivery:seen',
  'delivery:settling',
  'delivery:settled',
  'delivery:incomplete',
  'delivery:overdue',
  'delivery:unchanged',
  'delivery:ingested',
  'delivery:refused',
  'delivery:failed',
  'delivery:removed',
];

export type StartWatchOptions = Omit<DeliveryWatcherOptions, 'ingest'> & {
  ingest?: (request: IngestRequest) => Promise<IngestReport>;
};

/**
 * Starts a DeliveryWatcher registered with the harness (a test that leaves it running fails) and
 * records every ingest call and event. The default ingest answers `done` at once.
 */
export async function startWatch(options: StartWatchOptions): Promise<WatchRun> {
  const calls: IngestCall[] = [];
  const events: RecordedEvent[] = [];
  let running = 0;
  let maxParallel = 0;
  const answer = options.ingest ?? (async () => ({ status: 'done' as const }));
  const watcher = new DeliveryWatcher({
    settleSeconds: 1,
    ...options,
    ingest: async (request) => {
      calls.push({ ...request, at: performance.now() });
      running += 1;
      maxParallel = Math.max(maxParallel, running);
      try {
        return await answer(request);
      } finally {
        running -= 1;
      }
    },
  });
  for (const name of EVENT_NAMES) {
    watcher.on(name, (payload: RecordedEvent['payload']) =>
      events.push({ name, payload, at: performance.now() }),
    );
  }
  const tracked = trackResource('watcher', `DeliveryWatcher ${options.dropDir}`, async () => {
    await watcher.stop();
  });
  await watcher.start();
  return {
    watcher,
    calls,
    events,
    maxParallel: () => maxParallel,
    callsFor: (delivery) => calls.filter((call) => call.delivery === delivery),
    eventsFor: (delivery, name) => events.filter((e) => e.name === name && e.payload.delivery === delivery),
    stop: () => tracked.close(),
  };
}

export interface WatchDrop {
  /** The samples, made once per test file. */
  readonly media: MediaSamples;
  /** The current test's drop dir: a fresh one per test. */
  readonly path: string;
  /** Starts a watcher on this test's drop dir (`options` may override it); stopped after the test. */
  watch(options?: Partial<StartWatchOptions>): Promise<WatchRun>;
}

/**
 * Registers the hooks a watcher test file needs: samples made once, a fresh drop dir per test, and
 * every watcher the test started stopped before its drop dir is removed.
 */
export function useWatchDrop(): WatchDrop {
  let samplesDir: TempDir | undefined;
  let media: MediaSamples | undefined;
  let drop: TempDir | undefined;
  const runs: WatchRun[] = [];

  beforeAll(async () => {
    samplesDir = await createTempDir('watch-media');
    media = await makeMediaSamples(samplesDir.path);
  });
  afterAll(async () => {
    await samplesDir?.remove();
  });
  beforeEach(async () => {
    drop = await createTempDir('watch-drop');
  });
  afterEach(async () => {
    for (const run of runs.splice(0)) await run.stop();
    await drop?.remove();
    drop = undefined;
  });

  const current = (): TempDir => {
    if (!drop) throw new Error('useWatchDrop(): the drop dir exists only inside a test; use it there');
    return drop;
  };
  return {
    get media() {
      if (!media)
        throw new Error('useWatchDrop(): the samples are made in beforeAll; use them inside a test');
      return media;
    },
    get path() {
      return current().path;
    },
    async watch(options = {}) {
      const run = await startWatch({ dropDir: current().path, ...options });
      runs.push(run);
      return run;
    },
  };
}
