import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogDb, openCatalogDb } from '@exercise-pipeline/render-consumer/catalog';
import { lockExercise, setCatalogRender } from '@exercise-pipeline/render-consumer/catalog';
import { migrateCatalog } from '@exercise-pipeline/render-consumer/catalog';
import { ensureRenderRow, getRender, markRenderReady } from '@exercise-pipeline/render-consumer/catalog';
import { BunnyClient } from '@exercise-pipeline/render-consumer/publish';
import { BunnyStreamDouble } from '../doubles/bunny-stream-double.js';
import { useTempDir, useTestDatabase } from '../harness/index.js';
import { jsonOf, runConsumerInProcess } from './ops-cli.js';

const database = useTestDatabase('ops-reconcile');
const temp = useTempDir('ops-reconcile');
const CDN = 'vz-test.b-cdn.net';
const SLUG = 'rotatii-umeri';

let bunny: BunnyStreamDouble;
let db: CatalogDb;
let client: BunnyClient;
let env: Record<string, string>;

beforeAll(async () => {
  bunny = await new BunnyStreamDouble().start();
  client = new BunnyClient({ libraryId: bunny.libraryId, apiKey: bunny.apiKey, apiUrl: bunny.url });
  db = await openCatalogDb({ databaseUrl: database.url, dataDir: temp.path });
  await migrateCatalog(db);
  env = {
    DATABASE_URL: database.url,
    DATA_DIR: path.join(temp.path, 'data'),
    PUBLISH_TARGET: 'bunny',
    BUNNY_STREAM_LIBRARY_ID: bunny.libraryId,
    BUNNY_STREAM_API_KEY: bunny.apiKey,
    BUNNY_STREAM_CDN_HOSTNAME: CDN,
    BUNNY_STREAM_API_URL: bunny.url,
  };
});

afterAll(async () => {
  await db?.close();
  await bunny?.stop();
});

/** A render of SLUG with a video in the exercise's collection, in the given status. */
async function seedRender(version: number, status: 'ready' | 'superseded', collectionId: string) {
  const exercise = await lockExercise(db, SLUG);
  const video = await client.createVideo({ title: `${SLUG} · ro · v${version}`, collectionId });
  const row = await ensureRenderRow(
    db,
    { exerciseId: exercise.id, recipeHash: `hash-${version}`, language: 'ro', assetVersion: version },
    { exercise: SLUG },
  );
  await markRenderReady(db, row.id, {
    bunnyVideoId: video.guid,
    playbackUrl: `https://${CDN}/${video.guid}/playlist.m3u8`,
    durationSeconds: 12,
  });
  if (status === 'superseded') {
    await db.query(
      `UPDATE exercise_renders SET status = 'superseded', delete_after = now() + interval '1 day' WHERE id = $1`,
      [row.id],
    );
  }
  return { id: row.id, exerciseId: exercise.id, videoId: video.guid };
}

interface ReconcileJson {
  fixed: boolean;
  collections: number;
  videos: number;
  orphans: { videoId: string; deleted?: boolean }[];
  missing: { renderId: number; status: string; markedAs?: string }[];
}

describe('consumer reconcile', () => {
  it('reports orphans and renders whose video is gone, changes nothing without --fix, fixes with it', async () => {
    const collection = await client.createCollection(SLUG);
    const kept = await seedRender(1, 'superseded', collection.guid);
    const lostOld = await seedRender(2, 'superseded', collection.guid);
    const current = await seedRender(3, 'ready', collection.guid);
    await setCatalogRender(db, current.exerciseId, current.id);
    const orphan = await client.createVideo({ title: `${SLUG} · ro · v4`, collectionId: collection.guid });
    // Someone else's video outside our collections is none of reconcile's business.
    const foreign = await client.createVideo({ title: 'marketing teaser' });
    await client.deleteVideo(lostOld.videoId);
    await client.deleteVideo(current.videoId);

    const dry = await runConsumerInProcess(['reconcile', '--min-age', '0', '--json'], env);
    expect(dry.code, dry.stderr).toBe(0);
    const report = jsonOf<ReconcileJson>(dry);
    expect(report).toMatchObject({ fixed: false, collections: 1, videos: 2 });
    expect(report.orphans.map((video) => video.videoId)).toEqual([orphan.guid]);
    expect(report.missing.map((render) => [render.renderId, render.status]).sort()).toEqual(
      [
        [lostOld.id, 'superseded'],
        [current.id, 'ready'],
      ].sort(),
    );
    expect(bunny.videos().map((video) => video.guid)).toContain(orphan.guid);
    expect((await getRender(db, current.id))?.status).toBe('ready');

    // A fresh orphan may be a consumer's upload in progress: the default age bound leaves it alone.
    const young = jsonOf<ReconcileJson>(await runConsumerInProcess(['reconcile', '--json'], env));
    expect(young.orphans).toEqual([]);

    const fixed = await runConsumerInProcess(['reconcile', '--fix', '--min-age', '0', '--json'], env);
    expect(fixed.code, fixed.stderr).toBe(0);
    const result = jsonOf<ReconcileJson>(fixed);
    expect(result.orphans).toEqual([expect.objectContaining({ videoId: orphan.guid, deleted: true })]);
    expect(result.missing.map((render) => [render.renderId, render.markedAs]).sort()).toEqual(
      [
        [lostOld.id, 'deleted'],
        [current.id, 'failed'],
      ].sort(),
    );
    expect(fixed.stderr).not.toContain(bunny.apiKey);
    const left = bunny.videos().map((video) => video.guid);
    expect(left).not.toContain(orphan.guid);
    expect(left).toEqual(expect.arrayContaining([kept.videoId, foreign.guid]));
    expect((await getRender(db, lostOld.id))?.status).toBe('deleted');
    expect((await getRender(db, current.id))?.status).toBe('failed');
    expect((await getRender(db, kept.id))?.status).toBe('superseded');
    const exercise = await db.query<{ catalog_render_id: number | null }>(
      'SELECT catalog_render_id FROM exercises WHERE slug = $1',
      [SLUG],
    );
    expect(exercise[0]?.catalog_render_id).toBeNull();

    const again = jsonOf<ReconcileJson>(
      await runConsumerInProcess(['reconcile', '--fix', '--min-age', '0', '--json'], env),
    );
    expect(again.orphans).toEqual([]);
    expect(again.missing).toEqual([]);
  });

  it('refuses to run without the Bunny publish target', async () => {
    const run = await runConsumerInProcess(['reconcile'], { ...env, PUBLISH_TARGET: 'local' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('PUBLISH_TARGET=bunny');
  });
});
