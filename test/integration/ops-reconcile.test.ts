import { getRender, setCatalogRender } from '@exercise-pipeline/render-consumer/catalog';
import { describe, expect, it } from 'vitest';
import { useBunnyCatalog } from './bunny-catalog.js';
import { jsonOf, runConsumerInProcess } from './ops-cli.js';

const world = useBunnyCatalog('ops-reconcile');
const SLUG = 'rotatii-umeri';

/** A render of SLUG with a video in the exercise's collection, in the given status. */
async function seedRender(version: number, status: 'ready' | 'superseded', collectionId: string) {
  const seeded = await world.seedReadyRender(SLUG, version, {
    title: `${SLUG} · ro · v${version}`,
    collectionId,
  });
  if (status === 'superseded') {
    await world.db.query(
      `UPDATE exercise_renders SET status = 'superseded', delete_after = now() + interval '1 day' WHERE id = $1`,
      [seeded.id],
    );
  }
  return seeded;
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
    const collection = await world.client.createCollection(SLUG);
    const kept = await seedRender(1, 'superseded', collection.guid);
    const lostOld = await seedRender(2, 'superseded', collection.guid);
    const current = await seedRender(3, 'ready', collection.guid);
    await setCatalogRender(world.db, current.exerciseId, current.id);
    const orphan = await world.client.createVideo({
      title: `${SLUG} · ro · v4`,
      collectionId: collection.guid,
    });
    // Someone else's video outside our collections is none of reconcile's business.
    const foreign = await world.client.createVideo({ title: 'marketing teaser' });
    await world.client.deleteVideo(lostOld.videoId);
    await world.client.deleteVideo(current.videoId);

    const dry = await runConsumerInProcess(['reconcile', '--min-age', '0', '--json'], world.opsEnv());
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
    expect(world.bunny.videos().map((video) => video.guid)).toContain(orphan.guid);
    expect((await getRender(world.db, current.id))?.status).toBe('ready');

    // A fresh orphan may be a consumer's upload in progress: the default age bound leaves it alone.
    const young = jsonOf<ReconcileJson>(await runConsumerInProcess(['reconcile', '--json'], world.opsEnv()));
    expect(young.orphans).toEqual([]);

    const fixed = await runConsumerInProcess(
      ['reconcile', '--fix', '--min-age', '0', '--json'],
      world.opsEnv(),
    );
    expect(fixed.code, fixed.stderr).toBe(0);
    const result = jsonOf<ReconcileJson>(fixed);
    expect(result.orphans).toEqual([expect.objectContaining({ videoId: orphan.guid, deleted: true })]);
    expect(result.missing.map((render) => [render.renderId, render.markedAs]).sort()).toEqual(
      [
        [lostOld.id, 'deleted'],
        [current.id, 'failed'],
      ].sort(),
    );
    expect(fixed.stderr).not.toContain(world.bunny.apiKey);
    const left = world.bunny.videos().map((video) => video.guid);
    expect(left).not.toContain(orphan.guid);
    expect(left).toEqual(expect.arrayContaining([kept.videoId, foreign.guid]));
    expect((await getRender(world.db, lostOld.id))?.status).toBe('deleted');
    expect((await getRender(world.db, current.id))?.status).toBe('failed');
    expect((await getRender(world.db, kept.id))?.status).toBe('superseded');
    const exercise = await world.db.query<{ catalog_render_id: number | null }>(
      'SELECT catalog_render_id FROM exercises WHERE slug = $1',
      [SLUG],
    );
    expect(exercise[0]?.catalog_render_id).toBeNull();

    const again = jsonOf<ReconcileJson>(
      await runConsumerInProcess(['reconcile', '--fix', '--min-age', '0', '--json'], world.opsEnv()),
    );
    expect(again.orphans).toEqual([]);
    expect(again.missing).toEqual([]);
  });

  it('refuses to run without the Bunny publish target', async () => {
    const run = await runConsumerInProcess(['reconcile'], { ...world.opsEnv(), PUBLISH_TARGET: 'local' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('PUBLISH_TARGET=bunny');
  });
});
