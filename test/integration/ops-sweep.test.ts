import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogDb, openCatalogDb } from '@exercise-pipeline/render-consumer/catalog';
import { lockExercise } from '@exercise-pipeline/render-consumer/catalog';
import { migrateCatalog } from '@exercise-pipeline/render-consumer/catalog';
import { ensureRenderRow, getRender, markRenderReady } from '@exercise-pipeline/render-consumer/catalog';
import { sweepExpiredRenders } from '@exercise-pipeline/render-consumer/ops';
import { BunnyClient } from '@exercise-pipeline/render-consumer/publish';
import { createPublisher } from '@exercise-pipeline/render-consumer/publish';
import { BunnyStreamDouble } from '../doubles/bunny-stream-double.js';
import { useTempDir, useTestDatabase } from '../harness/index.js';
import { jsonOf, runConsumerInProcess } from './ops-cli.js';

const database = useTestDatabase('ops-sweep');
const temp = useTempDir('ops-sweep');
const CDN = 'vz-test.b-cdn.net';

let bunny: BunnyStreamDouble;
let db: CatalogDb;
let client: BunnyClient;

beforeAll(async () => {
  bunny = await new BunnyStreamDouble().start();
  client = new BunnyClient({ libraryId: bunny.libraryId, apiKey: bunny.apiKey, apiUrl: bunny.url });
  db = await openCatalogDb({ databaseUrl: database.url, dataDir: temp.path });
  await migrateCatalog(db);
});

afterAll(async () => {
  await db?.close();
  await bunny?.stop();
});

function publisher() {
  return createPublisher({
    publishTarget: 'bunny',
    dataDir: temp.path,
    bunny: { libraryId: bunny.libraryId, apiKey: bunny.apiKey, cdnHostname: CDN, apiUrl: bunny.url },
  });
}

/** A render of `slug` with a real video in the double, in the given state. */
async function seedRender(
  slug: string,
  version: number,
  state: { status: 'ready' | 'superseded'; deleteAfter?: string },
): Promise<{ id: number; videoId: string }> {
  const exercise = await lockExercise(db, slug);
  const video = await client.createVideo({ title: `${slug} v${version}` });
  const row = await ensureRenderRow(
    db,
    { exerciseId: exercise.id, recipeHash: `hash-${version}`, language: 'ro', assetVersion: version },
    { exercise: slug },
  );
  await markRenderReady(db, row.id, {
    bunnyVideoId: video.guid,
    playbackUrl: `https://${CDN}/${video.guid}/playlist.m3u8`,
    durationSeconds: 12,
  });
  if (state.status === 'superseded') {
    await db.query(
      `UPDATE exercise_renders SET status = 'superseded', delete_after = now() + $2::interval WHERE id = $1`,
      [row.id, state.deleteAfter],
    );
  }
  return { id: row.id, videoId: video.guid };
}

const videoIds = () => bunny.videos().map((video) => video.guid as string);
const deletes = () => bunny.requestsTo('DELETE', /^\/videos\//).map((request) => request.path);

describe('sweep', () => {
  it('deletes exactly the expired superseded videos, marks them deleted, and a second run does nothing', async () => {
    const expired = await seedRender('sweep-a', 1, { status: 'superseded', deleteAfter: '-1 hour' });
    const gone = await seedRender('sweep-a', 2, { status: 'superseded', deleteAfter: '-1 minute' });
    const waiting = await seedRender('sweep-a', 3, { status: 'superseded', deleteAfter: '1 hour' });
    const ready = await seedRender('sweep-a', 4, { status: 'ready' });
    // Removed from Bunny already (by hand, or by a sweep that stopped before marking the row).
    await client.deleteVideo(gone.videoId);
    const deletesBefore = deletes().length;

    const first = await sweepExpiredRenders({ db, publisher: publisher() });
    expect(first.examined).toBe(2);
    expect(first.failed).toEqual([]);
    expect(first.swept.map((render) => [render.renderId, render.outcome])).toEqual([
      [expired.id, 'deleted'],
      [gone.id, 'already-gone'],
    ]);
    expect(videoIds()).not.toContain(expired.videoId);
    expect(videoIds()).toEqual(expect.arrayContaining([waiting.videoId, ready.videoId]));
    expect(deletes().slice(deletesBefore)).toEqual([`/videos/${expired.videoId}`, `/videos/${gone.videoId}`]);
    expect((await getRender(db, expired.id))?.status).toBe('deleted');
    expect((await getRender(db, gone.id))?.status).toBe('deleted');
    expect((await getRender(db, waiting.id))?.status).toBe('superseded');
    expect((await getRender(db, ready.id))?.status).toBe('ready');

    const second = await sweepExpiredRenders({ db, publisher: publisher() });
    expect(second).toEqual({ examined: 0, swept: [], failed: [] });
    expect(deletes().length).toBe(deletesBefore + 2);
  });

  it('reports a render the publisher refuses, sweeps the others, and exits 1 from the command', async () => {
    const refused = await seedRender('sweep-b', 1, { status: 'superseded', deleteAfter: '-2 hours' });
    const fine = await seedRender('sweep-b', 2, { status: 'superseded', deleteAfter: '-1 hour' });
    bunny.failNext(1, 403, { method: 'DELETE', path: new RegExp(`^/videos/${refused.videoId}$`) });

    const env = {
      DATABASE_URL: database.url,
      DATA_DIR: path.join(temp.path, 'data'),
      PUBLISH_TARGET: 'bunny',
      BUNNY_STREAM_LIBRARY_ID: bunny.libraryId,
      BUNNY_STREAM_API_KEY: bunny.apiKey,
      BUNNY_STREAM_CDN_HOSTNAME: CDN,
      BUNNY_STREAM_API_URL: bunny.url,
    };
    const run = await runConsumerInProcess(['sweep', '--json'], env);
    expect(run.code).toBe(1);
    const result = jsonOf<{ swept: { renderId: number }[]; failed: { renderId: number; error: string }[] }>(
      run,
    );
    expect(result.swept.map((render) => render.renderId)).toEqual([fine.id]);
    expect(result.failed.map((failure) => failure.renderId)).toEqual([refused.id]);
    expect(run.stderr).not.toContain(bunny.apiKey);
    expect((await getRender(db, refused.id))?.status).toBe('superseded');
    expect(videoIds()).toContain(refused.videoId);

    const retry = await runConsumerInProcess(['sweep', '--json'], env);
    expect(retry.code, retry.stderr).toBe(0);
    expect(jsonOf<{ swept: { renderId: number }[] }>(retry).swept.map((render) => render.renderId)).toEqual([
      refused.id,
    ]);
    expect(videoIds()).not.toContain(refused.videoId);
  });
});
