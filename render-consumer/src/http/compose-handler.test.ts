import {
  addExercise,
  countingCompose,
  publishedIds,
  recipe,
  useRenderFixture,
  startConsumerServer,
  stopServersAfterEach,
} from '@exercise-pipeline/test/consumer';
import { describe, expect, it } from 'vitest';
import { listExerciseRenders } from '../catalog/renders.js';
import type { ComposeAnswer } from './compose-handler.js';

const fixture = useRenderFixture('compose-api');

stopServersAfterEach();

async function startApi(options: { apiToken?: string } = {}) {
  const counter = countingCompose();
  const ensureRender = fixture.ensureRender(counter.compose);
  const started = await startConsumerServer({
    db: fixture.db,
    ensureRender,
    dataDir: fixture.dataDir,
    ...options,
  });
  return { ...started, counter };
}

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/compose`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /v1/compose', () => {
  it('renders a recipe, then answers the same recipe with cached: true without rendering again', async () => {
    const exercise = await addExercise(fixture.db);
    const api = await startApi();
    const before = await publishedIds(fixture.dataDir);

    const first = await post(api.url, recipe());
    expect(first.status).toBe(200);
    const answer = (await first.json()) as ComposeAnswer;
    expect(answer).toMatchObject({
      cached: false,
      asset_version: 1,
      recipe_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(answer.duration_seconds).toBeGreaterThan(1);
    expect(answer.playback_hls_url).toBe(`${api.url}/media/${answer.bunny_video_id}/playlist.m3u8`);

    const playlist = await fetch(answer.playback_hls_url);
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(await playlist.text()).toContain('#EXTM3U');

    const second = await post(api.url, recipe());
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ ...answer, cached: true });

    expect(api.counter.calls).toBe(1);
    expect((await publishedIds(fixture.dataDir)).filter((id) => !before.includes(id))).toEqual([
      answer.bunny_video_id,
    ]);
    const rows = await listExerciseRenders(fixture.db, exercise.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'ready', bunny_video_id: answer.bunny_video_id });
  });

  it('renders two identical concurrent requests once', async () => {
    const exercise = await addExercise(fixture.db);
    const api = await startApi();
    const before = await publishedIds(fixture.dataDir);

    const answers = await Promise.all([
      post(api.url, recipe({ seed: 99 })),
      post(api.url, recipe({ seed: 99 })),
    ]);
    const [a, b] = (await Promise.all(answers.map((r) => r.json()))) as ComposeAnswer[];

    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(a!.bunny_video_id).toBe(b!.bunny_video_id);
    expect(api.counter.calls).toBe(1);
    expect((await publishedIds(fixture.dataDir)).length).toBe(before.length + 1);
    expect(await listExerciseRenders(fixture.db, exercise.id)).toHaveLength(1);
  });

  it('answers 400 listing every field-level reason of an invalid recipe', async () => {
    const exercise = await addExercise(fixture.db);
    const api = await startApi();

    const res = await post(
      api.url,
      recipe({
        language: 'de',
        sets: [
          { side: 'left', reps: 7 },
          { side: 'up', reps: 5 },
        ],
        seed: 'x',
      }),
    );

    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { code: string; reasons: { field: string; message: string }[] };
    };
    expect(body.error.code).toBe('RECIPE_INVALID');
    expect(body.error.reasons.map((r) => r.field)).toEqual(
      expect.arrayContaining(['language', 'sets.0.reps', 'sets.1.side', 'seed']),
    );
    expect(body.error.reasons.every((r) => r.message.length > 0)).toBe(true);
    expect(await listExerciseRenders(fixture.db, exercise.id)).toHaveLength(0);
  });

  it('answers 404 for an exercise the catalog does not know', async () => {
    const api = await startApi();
    const res = await post(api.url, recipe({ exercise: 'no-such-exercise' }));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: { code: 'EXERCISE_NOT_FOUND', message: expect.stringContaining('no-such-exercise') },
    });
  });

  it('requires the bearer token when COMPOSER_API_TOKEN is set', async () => {
    await addExercise(fixture.db);
    const api = await startApi({ apiToken: 's3cret-token' });

    const missing = await post(api.url, recipe());
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer /);

    const wrong = await post(api.url, recipe(), { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('invalid_token');
    expect(JSON.stringify(await wrong.json())).not.toContain('s3cret-token');

    const right = await post(api.url, recipe(), { authorization: 'Bearer s3cret-token' });
    expect(right.status).toBe(200);
    expect(api.counter.calls).toBe(1);
  });

  it('refuses a body over the size limit with 413', async () => {
    const api = await startApi();
    const huge = recipe({ padding: 'x'.repeat(70 * 1024) });
    const res = await post(api.url, huge);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
    expect(api.counter.calls).toBe(0);
  });

  it('answers 400 naming the problem for malformed JSON', async () => {
    const api = await startApi();
    const res = await post(api.url, '{"exercise": "detensionari-lombare", "sets": [');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('BODY_INVALID_JSON');
    expect(body.error.message).toMatch(/not valid JSON \(.+\)/);
  });

  it('answers 405 with Allow for another method', async () => {
    const api = await startApi();
    const res = await fetch(`${api.url}/v1/compose`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
