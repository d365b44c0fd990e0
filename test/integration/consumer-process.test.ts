/**
 * `consumer run` as real processes on moto + PostgreSQL + the Bunny double: a consumer killed in the
 * middle of an upload leaves its message and its render to the next one, which deletes the orphaned
 * video before uploading its own; SIGTERM in the middle of a render hands the message back and exits
 * 0 after closing everything.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CatalogDb } from '@exercise-pipeline/render-consumer/catalog';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_BIN, freePort, killProcessGroup, trackResource } from '../harness/index.js';
import {
  bunnyVideosOf,
  LANGUAGES,
  openCatalog,
  rendersOf,
  usePipeline,
  waitFor,
  waitForPreviews,
} from './consumer-helpers.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const world = usePipeline('consumer-process');

let db: CatalogDb;

beforeAll(async () => {
  db = await openCatalog(world.databaseUrl);
});

afterAll(async () => {
  await db?.close();
});

interface ConsumerChild {
  child: ChildProcess;
  url: string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `consumer run` with the environment an operator would give it, and waits until it listens. */
async function startConsumer(name: string): Promise<ConsumerChild> {
  const port = await freePort();
  const child = spawn(process.execPath, [CONSUMER_BIN, 'run'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...world.moto.env,
      ASSETS_BUCKET: world.pipeline.topology.bucket,
      EVENT_BUS_NAME: world.pipeline.topology.busName,
      RENDER_QUEUE_URL: world.pipeline.topology.queueUrl,
      RENDER_DLQ_URL: world.pipeline.topology.dlqUrl,
      DATABASE_URL: world.databaseUrl,
      DATA_DIR: path.join(world.root, name),
      PUBLISH_TARGET: 'bunny',
      BUNNY_STREAM_API_URL: world.pipeline.bunny.url,
      BUNNY_STREAM_LIBRARY_ID: world.pipeline.bunny.libraryId,
      BUNNY_STREAM_API_KEY: world.pipeline.bunny.apiKey,
      BUNNY_STREAM_CDN_HOSTNAME: 'vz-test.b-cdn.net',
      COMPOSER_PORT: String(port),
      SETTLE_SECONDS: '1',
      LOG_LEVEL: 'info',
      QUEUE_VISIBILITY_TIMEOUT_SECONDS: '5',
      QUEUE_WAIT_SECONDS: '1',
      QUEUE_RETRY_BASE_SECONDS: '1',
      QUEUE_RETRY_MAX_SECONDS: '2',
      RENDER_LEASE_SECONDS: '3',
      TRANSCODE_POLL_SECONDS: '1',
      SHUTDOWN_DEADLINE_SECONDS: '2',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group, killed as a whole, the way a container runtime stops a task.
    detached: true,
  });
  const tracked = trackResource('process', `consumer run (${name})`, () => killProcessGroup(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = once(child, 'exit').then(([code, signal]) => {
    tracked.release();
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  await waitFor(
    `consumer ${name} to listen`,
    async () => {
      if (child.exitCode !== null) throw new Error(`consumer ${name} exited early: ${stderr}`);
      return stderr.includes('render consumer listening on');
    },
    30_000,
    100,
  );
  return { child, url: `http://127.0.0.1:${port}`, stderr: () => stderr, exited };
}

/** Waits for a child's exit, killing it (and failing) when it does not exit in time. */
async function exitOf(consumer: ConsumerChild, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      killProcessGroup(consumer.child);
      reject(
        new Error(`consumer did not exit within ${timeoutMs} ms; stderr:\n${consumer.stderr().slice(-3000)}`),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([consumer.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One ready render per language, and every completed upload is one of theirs: nothing left behind. */
async function expectOneReadyRenderPerLanguage(slug: string): Promise<void> {
  const renders = await rendersOf(db, slug);
  expect(renders.map((render) => [render.language, render.status, render.asset_version]).sort()).toEqual(
    LANGUAGES.map((language) => [language, 'ready', 1]).sort(),
  );
  expect(world.completedUploads(slug)).toEqual(renders.map((render) => render.bunny_video_id).sort());
}

describe('consumer run as processes', () => {
  it('leaves the render of a consumer killed mid-upload to the next consumer, which deletes the orphan', async () => {
    const slug = 'detensionari-lombare';
    const hold = world.pipeline.bunny.holdNextUpload();
    const first = await startConsumer('killed');
    await world.sync(slug);
    const heldVideo = await waitFor('the first upload to reach Bunny', () => hold.arrived, 60_000);
    // The video id was on the render row before a byte was sent.
    expect((await rendersOf(db, slug)).map((render) => render.bunny_video_id)).toContain(heldVideo);
    killProcessGroup(first.child);
    expect((await exitOf(first, 10_000)).signal).toBe('SIGKILL');
    hold.release();

    const second = await startConsumer('survivor');
    await waitForPreviews(db, slug, 1);
    await world.queueDrained();
    // The ready renders are the second consumer's. The killed consumer's video (its upload may even
    // have completed from bytes already in the socket) was deleted by the consumer that took over.
    await expectOneReadyRenderPerLanguage(slug);
    expect(world.pipeline.bunny.videos().map((video) => video.guid)).not.toContain(heldVideo);
    expect(world.pipeline.bunny.requestsTo('DELETE', new RegExp(`^/videos/${heldVideo}$`))).toHaveLength(1);

    second.child.kill('SIGTERM');
    expect(await exitOf(second, 20_000)).toEqual({ code: 0, signal: null });
  });

  it('hands the message back on SIGTERM mid-render and exits 0 with everything closed', async () => {
    const slug = 'ridicari-brate';
    const hold = world.pipeline.bunny.holdNextUpload();
    const stopping = await startConsumer('sigterm');
    await world.sync(slug);
    await waitFor('the upload to reach Bunny', () => hold.arrived, 60_000);

    stopping.child.kill('SIGTERM');
    // The upload stays held: the render cannot finish within the 2 s deadline.
    const exit = await exitOf(stopping, 20_000).finally(() => hold.release());
    expect(exit).toEqual({ code: 0, signal: null });
    const log = stopping.stderr();
    expect(log).toContain('shutdown deadline passed: messages handed back');
    expect(log).toContain('consumer stopped');
    await expect(fetch(`${stopping.url}/healthz`)).rejects.toThrow();
    const left = await db.query<{ count: string }>(
      `SELECT count(*) AS count FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    // Only this test's own pool may remain connected.
    expect(Number(left[0]?.count)).toBeLessThanOrEqual(1);

    const next = await startConsumer('after-sigterm');
    await waitForPreviews(db, slug, 1);
    await world.queueDrained();
    await expectOneReadyRenderPerLanguage(slug);
    // The cancelled upload's empty video was removed, and the shutdown is nobody's failure.
    expect(bunnyVideosOf(world.pipeline, slug)).toHaveLength(2);
    expect(await db.query('SELECT * FROM message_failures WHERE exercise = $1', [slug])).toEqual([]);
    next.child.kill('SIGTERM');
    expect(await exitOf(next, 20_000)).toEqual({ code: 0, signal: null });
  });
});
