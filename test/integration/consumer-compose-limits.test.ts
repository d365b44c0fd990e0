/**
 * A flood of compose requests must not start a render each: at most COMPOSE_MAX_CONCURRENT renders run
 * at once, COMPOSE_QUEUE_SIZE requests wait, and the rest are answered 503 with Retry-After at once.
 * Identical requests share one render and say so. The Bunny double holds the first upload, so the
 * slot stays taken for as long as the test needs, whatever the machine's speed.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMetrics, usePipeline, waitFor, waitForPreviews } from './consumer-helpers.js';

const world = usePipeline('consumer-compose-limits');

function compose(url: string, slug: string, seed: number): Promise<Response> {
  return fetch(`${url}/v1/compose`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ exercise: slug, language: 'ro', sets: [{ side: 'left', reps: 5 }], seed }),
  });
}

async function metrics(url: string): Promise<Map<string, number>> {
  return parseMetrics(await (await fetch(`${url}/metrics`)).text());
}

describe.each([
  { catalog: 'postgres', slug: 'flexii-solduri' },
  { catalog: 'pglite', slug: 'rotatii-trunchi' },
])('compose requests beyond the render slots ($catalog)', ({ catalog, slug }) => {
  it('renders one at a time, queues one, refuses the rest with Retry-After, and joins identical ones', async () => {
    await world.sync(slug);
    const service = await world.startService(
      {
        dataDir: path.join(world.root, `data-${catalog}`),
        ...(catalog === 'postgres' ? { databaseUrl: world.databaseUrl } : {}),
      },
      { compose: { maxConcurrent: 1, queueSize: 1 } },
    );
    try {
      // The catalog previews go first, through the same slots; then the API has the machine.
      const db = service.db;
      await waitForPreviews(db, slug, 1, ['ro', 'en'], 120_000);
      await world.queueDrained();
      const before = world.completedUploads(slug).length;

      const hold = world.pipeline.bunny.holdNextUpload();
      const first = compose(service.url, slug, 1001);
      await hold.arrived;
      const queued = compose(service.url, slug, 1002);
      await waitFor('one compose request waiting for a slot', async () => {
        return (await metrics(service.url)).get('exercise_pipeline_compose_requests_waiting') === 1;
      });
      const same = compose(service.url, slug, 1001);
      const refused = await Promise.all([compose(service.url, slug, 1003), compose(service.url, slug, 1004)]);
      for (const answer of refused) {
        expect(answer.status).toBe(503);
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(await answer.json()).toMatchObject({ error: { code: 'COMPOSE_BUSY' } });
      }

      hold.release();
      const [a, b, c] = await Promise.all([first, queued, same]);
      expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
      const [answerA, answerB, answerC] = await Promise.all([a.json(), b.json(), c.json()]);
      expect(answerA).toMatchObject({ cached: false, joined: false });
      expect(answerB).toMatchObject({ cached: false, joined: false });
      expect(answerC).toMatchObject({ cached: false, joined: true, bunny_video_id: answerA.bunny_video_id });
      const again = await compose(service.url, slug, 1001);
      expect(await again.json()).toMatchObject({
        cached: true,
        joined: false,
        bunny_video_id: answerA.bunny_video_id,
      });

      const after = await metrics(service.url);
      expect(after.get('exercise_pipeline_renders_running_peak')).toBe(1);
      expect(after.get('exercise_pipeline_renders_max_concurrent')).toBe(1);
      expect(after.get('exercise_pipeline_compose_requests_rejected')).toBe(2);
      expect(after.get('exercise_pipeline_renders_running')).toBe(0);
      // Two renders for five requests: the refused ones never reached ffmpeg or Bunny.
      expect(world.completedUploads(slug).length - before).toBe(2);
    } finally {
      await service.stop();
    }
  }, 300_000);
});
