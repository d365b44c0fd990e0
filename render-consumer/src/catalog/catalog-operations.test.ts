import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogDb, openCatalogDb, pingCatalog } from './database.js';
import {
  bumpAssetVersion,
  dropCatalogRender,
  getExercise,
  listExerciseSlugs,
  lockExercise,
  setCatalogRender,
  setNextCatalogRender,
} from './exercises.js';
import { migrateCatalog } from './migrate.js';
import {
  claimRender,
  countRendersByStatus,
  ensureRenderRow,
  failPlayableRender,
  getRender,
  listVideoRenderRefs,
  markRenderDeleted,
  markRenderEncoding,
  markRenderEncodingIfHeld,
  markRenderReady,
  markRenderReadyIfHeld,
  type RenderRow,
  type RenderStatus,
  supersedeRenders,
} from './renders.js';

const A = 'host-a:41:0f3c9a1b';
const B = 'host-b:7:aa11bb22';
const VIDEO = { playbackUrl: '/p', durationSeconds: 3 };

let temp: TempDir;
let db: CatalogDb;

beforeAll(async () => {
  temp = await createTempDir('catalog-operations');
  db = await openCatalogDb({ dataDir: temp.path });
  await migrateCatalog(db);
});

afterAll(async () => {
  await db?.close();
  await temp?.remove();
});

/** A new exercise at asset version 1 with one pending render per recipe hash given. */
async function exerciseWithRenders(slug: string, hashes: string[]) {
  const exercise = await db.transaction(async (tx) =>
    bumpAssetVersion(tx, (await lockExercise(tx, slug)).id, 'f'.repeat(64)),
  );
  const renders: RenderRow[] = [];
  for (const hash of hashes) {
    renders.push(
      await ensureRenderRow(
        db,
        { exerciseId: exercise.id, recipeHash: hash.repeat(64), language: 'ro', assetVersion: 1 },
        null,
      ),
    );
  }
  return { exercise, renders };
}

/** Seconds from the row's last update to its next transcode check, by the database's clock. */
async function secondsToNextCheck(id: number): Promise<number> {
  const rows = await db.query<{ seconds: number | string }>(
    `SELECT EXTRACT(EPOCH FROM (next_check_at - updated_at))::double precision AS seconds
       FROM exercise_renders WHERE id = $1`,
    [id],
  );
  return Number(rows[0]!.seconds);
}

describe('catalog operations on the embedded catalog', () => {
  it('answers a ping, reads an exercise by id and lists every slug in order', async () => {
    await expect(pingCatalog(db)).resolves.toBeUndefined();
    const { exercise } = await exerciseWithRenders('wall-sit', []);
    await exerciseWithRenders('ankle-circles', []);
    expect((await getExercise(db, exercise.id))?.slug).toBe('wall-sit');
    expect(await getExercise(db, exercise.id + 1000)).toBeNull();
    const slugs = await listExerciseSlugs(db);
    expect(slugs).toEqual([...slugs].sort());
    expect(slugs).toEqual(expect.arrayContaining(['ankle-circles', 'wall-sit']));
  });

  it('publishes a render only for its lease holder when one is named, releasing the lease', async () => {
    const { renders } = await exerciseWithRenders('bird-dog', ['a', 'b']);
    const [held, free] = renders as [RenderRow, RenderRow];
    expect(await claimRender(db, held.id, A, 60)).not.toBeNull();

    expect(
      await markRenderEncodingIfHeld(db, held.id, B, {
        ...VIDEO,
        bunnyVideoId: 'vb',
        firstCheckSeconds: 600,
      }),
    ).toBeNull();
    expect((await getRender(db, held.id))?.status).toBe('pending');

    const encoding = await markRenderEncodingIfHeld(db, held.id, A, {
      ...VIDEO,
      bunnyVideoId: 'va',
      firstCheckSeconds: 600,
    });
    expect(encoding).toMatchObject({
      status: 'encoding',
      bunny_video_id: 'va',
      encode_progress: 0,
      transcode_checks: 0,
      lease_owner: null,
      lease_expires_at: null,
    });
    expect(await secondsToNextCheck(held.id)).toBe(600);
    // No longer pending: the holder cannot mark it again.
    expect(await markRenderReadyIfHeld(db, held.id, A, { ...VIDEO, bunnyVideoId: 'va' })).toBeNull();
    // An import marks it whoever holds it.
    expect(await markRenderReady(db, held.id, { ...VIDEO, bunnyVideoId: 'vc' })).toMatchObject({
      status: 'ready',
      bunny_video_id: 'vc',
      encode_progress: 0,
    });

    expect(await claimRender(db, free.id, B, 60)).not.toBeNull();
    const imported = await markRenderEncoding(db, free.id, { ...VIDEO, bunnyVideoId: 'vd' });
    expect(imported).toMatchObject({ status: 'encoding', lease_owner: null, playback_url: '/p' });
    expect(await secondsToNextCheck(free.id)).toBe(0);
  });

  it('counts renders by status and lists the live ones that have a video', async () => {
    const before = new Map((await countRendersByStatus(db)).map((row) => [row.status, row.count]));
    const { exercise, renders } = await exerciseWithRenders('glute-bridge', ['a', 'b']);
    const [ready, gone] = renders as [RenderRow, RenderRow];
    await markRenderReady(db, ready.id, { ...VIDEO, bunnyVideoId: 'v-ready' });
    await markRenderReady(db, gone.id, { ...VIDEO, bunnyVideoId: 'v-gone' });
    await db.transaction((tx) => supersedeRenders(tx, exercise.id, 2, 0, undefined, ready.id));
    expect(await markRenderDeleted(db, gone.id)).toBe(true);
    const pending = await ensureRenderRow(
      db,
      { exerciseId: exercise.id, recipeHash: 'c'.repeat(64), language: 'ro', assetVersion: 1 },
      null,
    );

    const after = new Map((await countRendersByStatus(db)).map((row) => [row.status, row.count]));
    const added = (status: RenderStatus) => (after.get(status) ?? 0) - (before.get(status) ?? 0);
    expect([added('ready'), added('deleted'), added('pending')]).toEqual([1, 1, 1]);

    const refs = (await listVideoRenderRefs(db)).filter((ref) => ref.exercise === 'glute-bridge');
    expect(refs).toEqual([
      {
        id: ready.id,
        exercise: 'glute-bridge',
        language: 'ro',
        asset_version: 1,
        status: 'ready',
        bunny_video_id: 'v-ready',
      },
    ]);
    expect(refs.some((ref) => ref.id === pending.id)).toBe(false);
  });

  it('fails a playable render whose video is gone, and its exercise stops pointing at it', async () => {
    const { exercise, renders } = await exerciseWithRenders('dead-bug', ['a', 'b']);
    const [preview, next] = renders as [RenderRow, RenderRow];
    const other = await exerciseWithRenders('side-plank', ['a']);
    await markRenderReady(db, preview.id, { ...VIDEO, bunnyVideoId: 'v1' });
    await markRenderEncoding(db, next.id, { ...VIDEO, bunnyVideoId: 'v2' });
    await setCatalogRender(db, exercise.id, preview.id);
    await setNextCatalogRender(db, exercise.id, next.id);
    await setNextCatalogRender(db, other.exercise.id, other.renders[0]!.id);

    expect(await failPlayableRender(db, next.id, 'video v2 is gone')).toBe(true);
    expect(await getRender(db, next.id)).toMatchObject({
      status: 'failed',
      error: 'video v2 is gone',
      next_check_at: null,
    });
    // Already failed: nothing changes.
    expect(await failPlayableRender(db, next.id, 'again')).toBe(false);
    expect((await getRender(db, next.id))?.error).toBe('video v2 is gone');

    await dropCatalogRender(db, next.id);
    expect(await getExercise(db, exercise.id)).toMatchObject({
      catalog_render_id: preview.id,
      next_catalog_render_id: null,
    });
    await dropCatalogRender(db, preview.id);
    expect(await getExercise(db, exercise.id)).toMatchObject({
      catalog_render_id: null,
      next_catalog_render_id: null,
    });
    expect((await getExercise(db, other.exercise.id))?.next_catalog_render_id).toBe(other.renders[0]!.id);
  });
});
