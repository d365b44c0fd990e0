import { getRender } from '@exercise-pipeline/render-consumer/catalog';
import { sweepExpiredRenders } from '@exercise-pipeline/render-consumer/ops';
import { createPublisher } from '@exercise-pipeline/render-consumer/publish';
import { describe, expect, it } from 'vitest';
import { CDN, useBunnyCatalog } from './bunny-catalog.js';
import { jsonOf, runConsumerInProcess } from './ops-cli.js';

const world = useBunnyCatalog('ops-sweep');

function publisher() {
  return createPublisher({
    publishTarget: 'bunny',
    dataDir: world.root,
    bunny: {
      libraryId: world.bunny.libraryId,
      apiKey: world.bunny.apiKey,
      cdnHostname: CDN,
      apiUrl: world.bunny.url,
    },
  });
}

/** A render of `slug` with a real video in the double, in the given state. */
async function seedRender(
  slug: string,
  version: number,
  state: { status: 'ready' | 'superseded'; deleteAfter?: string },
): Promise<{ id: number; videoId: string }> {
  const { id, videoId } = await world.seedReadyRender(slug, version, { title: `${slug} v${version}` });
  if (state.status === 'superseded') {
    await world.db.query(
      `UPDATE exercise_renders SET status = 'superseded', delete_after = now() + $2::interval WHERE id = $1`,
      [id, state.deleteAfter],
    );
  }
  return { id, videoId };
}

const videoIds = () => world.bunny.videos().map((video) => video.guid as string);
const deletes = () => world.bunny.requestsTo('DELETE', /^\/videos\//).map((request) => request.path);

describe('sweep', () => {
  it('deletes exactly the expired superseded videos, marks them deleted, and a second run does nothing', async () => {
    const expired = await seedRender('sweep-a', 1, { status: 'superseded', deleteAfter: '-1 hour' });
    const gone = await seedRender('sweep-a', 2, { status: 'superseded', deleteAfter: '-1 minute' });
    const waiting = await seedRender('sweep-a', 3, { status: 'superseded', deleteAfter: '1 hour' });
    const ready = await seedRender('sweep-a', 4, { status: 'ready' });
    // Removed from Bunny already (by hand, or by a sweep that stopped before marking the row).
    await world.client.deleteVideo(gone.videoId);
    const deletesBefore = deletes().length;

    const first = await sweepExpiredRenders({ db: world.db, publisher: publisher() });
    expect(first.examined).toBe(2);
    expect(first.failed).toEqual([]);
    expect(first.swept.map((render) => [render.renderId, render.outcome])).toEqual([
      [expired.id, 'deleted'],
      [gone.id, 'already-gone'],
    ]);
    expect(videoIds()).not.toContain(expired.videoId);
    expect(videoIds()).toEqual(expect.arrayContaining([waiting.videoId, ready.videoId]));
    expect(deletes().slice(deletesBefore)).toEqual([`/videos/${expired.videoId}`, `/videos/${gone.videoId}`]);
    expect((await getRender(world.db, expired.id))?.status).toBe('deleted');
    expect((await getRender(world.db, gone.id))?.status).toBe('deleted');
    expect((await getRender(world.db, waiting.id))?.status).toBe('superseded');
    expect((await getRender(world.db, ready.id))?.status).toBe('ready');

    const second = await sweepExpiredRenders({ db: world.db, publisher: publisher() });
    expect(second).toEqual({ examined: 0, swept: [], failed: [] });
    expect(deletes().length).toBe(deletesBefore + 2);
  });

  it('reports a render the publisher refuses, sweeps the others, and exits 1 from the command', async () => {
    const refused = await seedRender('sweep-b', 1, { status: 'superseded', deleteAfter: '-2 hours' });
    const fine = await seedRender('sweep-b', 2, { status: 'superseded', deleteAfter: '-1 hour' });
    world.bunny.failNext(1, 403, { method: 'DELETE', path: new RegExp(`^/videos/${refused.videoId}$`) });

    const run = await runConsumerInProcess(['sweep', '--json'], world.opsEnv());
    expect(run.code).toBe(1);
    const result = jsonOf<{ swept: { renderId: number }[]; failed: { renderId: number; error: string }[] }>(
      run,
    );
    expect(result.swept.map((render) => render.renderId)).toEqual([fine.id]);
    expect(result.failed.map((failure) => failure.renderId)).toEqual([refused.id]);
    expect(run.stderr).not.toContain(world.bunny.apiKey);
    expect((await getRender(world.db, refused.id))?.status).toBe('superseded');
    expect(videoIds()).toContain(refused.videoId);

    const retry = await runConsumerInProcess(['sweep', '--json'], world.opsEnv());
    expect(retry.code, retry.stderr).toBe(0);
    expect(jsonOf<{ swept: { renderId: number }[] }>(retry).swept.map((render) => render.renderId)).toEqual([
      refused.id,
    ]);
    expect(videoIds()).not.toContain(refused.videoId);
  });
});
