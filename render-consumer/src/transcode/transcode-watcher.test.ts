import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BunnyStreamDouble } from '@exercise-pipeline/test/doubles';
import { createTempDir, type TempDir, useTestDatabase } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogDb, openCatalogDb } from '../catalog/database.js';
import { findExercise, lockExercise, setCatalogRender } from '../catalog/exercises.js';
import { migrateCatalog } from '../catalog/migrate.js';
import { ensureRenderRow, getRender, markRenderEncoding, markRenderReady } from '../catalog/renders.js';
import { offerCatalogRender } from '../catalog/transcodes.js';
import { BunnyClient } from '../publish/bunny-client.js';
import { BunnyPublisher } from '../publish/bunny-publisher.js';
import { TranscodeWatcher } from './transcode-watcher.js';

// The watcher's poll against the Bunny double and a real catalog, on PostgreSQL and on PGlite. Its
// re-render after a first failure is covered end to end in test/integration/consumer-transcode.test.ts;
// here every render has used its one re-upload already, so a failure is final.

const database = useTestDatabase('transcode_watcher');
let temp: TempDir;
let bunny: BunnyStreamDouble;
let client: BunnyClient;
let clip: string;
let bunnyNow = Date.now();

beforeAll(async () => {
  temp = await createTempDir('transcode-watcher');
  clip = path.join(temp.path, 'clip.mp4');
  await writeFile(clip, randomBytes(4096));
  // The double's transcodes follow a clock the tests move, so a slow machine cannot finish one
  // before the test looks at it.
  bunny = await new BunnyStreamDouble({
    transcodingAfterMs: 50,
    finishedAfterMs: 150,
    clock: () => bunnyNow,
  }).start();
  client = new BunnyClient({ libraryId: bunny.libraryId, apiKey: bunny.apiKey, apiUrl: bunny.url });
});

afterAll(async () => {
  await bunny?.stop();
  await temp?.remove();
});

describe.each(['postgres', 'pglite'] as const)('TranscodeWatcher on %s', (kind) => {
  let db: CatalogDb;
  let watcher: TranscodeWatcher;
  const slug = `watch-${kind}`;

  beforeAll(async () => {
    db =
      kind === 'postgres'
        ? await openCatalogDb({ databaseUrl: database.url, dataDir: temp.path })
        : await openCatalogDb({ dataDir: path.join(temp.path, 'pglite') });
    await migrateCatalog(db);
    watcher = new TranscodeWatcher({
      db,
      publisher: new BunnyPublisher({ client, cdnHostname: 'vz-test.b-cdn.net' }),
      ensureRender: {
        ensure: () => Promise.reject(new Error('no re-render expected: every render used its re-upload')),
      },
      graceSeconds: 3600,
      eventBusName: 'default',
      backoff: { baseSeconds: 0, maxSeconds: 0 },
    });
  });

  afterAll(async () => {
    await watcher?.stop();
    await db?.close();
  });

  /** A render of `version` whose video Bunny has received (and transcodes on the double's timeline). */
  async function uploadedRender(version: number, status: 'ready' | 'encoding') {
    const exercise = await lockExercise(db, slug);
    await db.query('UPDATE exercises SET asset_version = $2 WHERE id = $1', [exercise.id, version]);
    const video = await client.createVideo({ title: `${slug} v${version}` });
    await client.uploadVideo(video.guid, clip);
    const row = await ensureRenderRow(
      db,
      { exerciseId: exercise.id, recipeHash: `hash-${version}`, language: 'ro', assetVersion: version },
      { exercise: slug },
      true,
    );
    const fields = {
      bunnyVideoId: video.guid,
      playbackUrl: `https://cdn/${video.guid}/playlist.m3u8`,
      durationSeconds: 3,
    };
    const render =
      status === 'ready'
        ? await markRenderReady(db, row.id, fields)
        : await markRenderEncoding(db, row.id, fields);
    await db.query('UPDATE exercise_renders SET transcode_failures = 1 WHERE id = $1', [row.id]);
    return { render, exerciseId: exercise.id, videoId: video.guid };
  }

  it('polls an encoding render until Bunny finishes it, then makes it the catalog preview', async () => {
    const previous = await uploadedRender(1, 'ready');
    await setCatalogRender(db, previous.exerciseId, previous.render.id);
    const next = await uploadedRender(2, 'encoding');
    expect(
      await offerCatalogRender(db, {
        exerciseId: next.exerciseId,
        assetVersion: 2,
        renderId: next.render.id,
        graceSeconds: 3600,
      }),
    ).toBe('waiting');

    // Bunny still says 1 (uploaded): the render stays encoding and the catalog stays put.
    expect(await watcher.pollOnce()).toBe(1);
    expect((await getRender(db, next.render.id))?.status).toBe('encoding');
    expect((await findExercise(db, slug))?.catalog_render_id).toBe(previous.render.id);

    bunnyNow += 200;
    await watcher.pollOnce();
    expect((await getRender(db, next.render.id))?.status).toBe('ready');
    expect((await findExercise(db, slug))?.catalog_render_id).toBe(next.render.id);
    expect((await getRender(db, previous.render.id))?.status).toBe('superseded');
    expect(bunny.requestsTo('GET', new RegExp(`^/videos/${next.videoId}$`)).length).toBeGreaterThanOrEqual(2);
  });

  it('fails a render whose transcode Bunny failed, with its message, and deletes the video', async () => {
    bunny.failNextTranscodes(1, 'Invalid video stream');
    const failing = await uploadedRender(3, 'encoding');
    bunnyNow += 200;
    await watcher.pollOnce();
    const render = await getRender(db, failing.render.id);
    expect(render).toMatchObject({ status: 'failed', transcode_failures: 2 });
    expect(render?.error).toContain('Invalid video stream');
    expect(bunny.videos().map((video) => video.guid)).not.toContain(failing.videoId);
  });

  it('gives up on a transcode Bunny never finishes', async () => {
    bunny.setTranscodeTimings(60_000, 120_000);
    const stuck = await uploadedRender(4, 'encoding');
    const impatient = new TranscodeWatcher({
      db,
      publisher: new BunnyPublisher({ client, cdnHostname: 'vz-test.b-cdn.net' }),
      ensureRender: { ensure: () => Promise.reject(new Error('no re-render expected')) },
      graceSeconds: 3600,
      eventBusName: 'default',
      backoff: { baseSeconds: 0, maxSeconds: 0 },
      maxEncodingSeconds: 0,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await impatient.pollOnce();
    bunny.setTranscodeTimings(50, 150);
    const render = await getRender(db, stuck.render.id);
    expect(render?.status).toBe('failed');
    expect(render?.error).toMatch(/did not finish transcoding within 0 s \(still status 1/);
    expect(bunny.videos().map((video) => video.guid)).not.toContain(stuck.videoId);
  });
});
