/**
 * `POST /v1/bunny/webhook` and the compose API while Bunny transcodes, on moto + PostgreSQL + the
 * Bunny double: the compose answer carries the video and its URL right after the upload with
 * `status: "encoding"`; only a call signed with the library's read-only key changes anything; a
 * replayed or unknown call is answered 200 and ignored; a repeat request then reports `ready`.
 */

import { createHmac } from 'node:crypto';
import path from 'node:path';
import type { CatalogDb, RenderRow } from '@exercise-pipeline/render-consumer/catalog';
import { bunnyDirectoryToken } from '@exercise-pipeline/render-consumer/publish';
import type { RenderService } from '@exercise-pipeline/render-consumer/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftRightRecipe } from '../fixtures/index.js';
import { useMotoServer, useTempDir, useTestDatabase } from '../harness/index.js';
import {
  makeBundle,
  openCatalog,
  openPipeline,
  type Pipeline,
  renderQueueDrained,
  startService,
  syncAs,
  waitFor,
} from './consumer-helpers.js';

const moto = useMotoServer('bunny-webhook');
const database = useTestDatabase('bunny_webhook');
const temp = useTempDir('bunny-webhook');
const SLUG = 'fandari-genunchi';
const TOKEN_KEY = 'zone-token-key';
const RECIPE = leftRightRecipe(SLUG, [10, 5], 42);

let pipeline: Pipeline;
let service: RenderService;
let db: CatalogDb;

beforeAll(async () => {
  // Transcodes that never finish by themselves, no webhook URL and no poll within the test: only
  // the calls this test makes can move a render on.
  pipeline = await openPipeline(moto.endpoint, temp.path, {
    transcodingAfterMs: 600_000,
    finishedAfterMs: 1_200_000,
  });
  service = await startService(
    pipeline,
    { databaseUrl: database.url, dataDir: path.join(temp.path, 'data'), tokenKey: TOKEN_KEY },
    { transcodePollSeconds: 3600 },
  );
  db = await openCatalog(database.url);
  await syncAs(pipeline, SLUG, await makeBundle(temp.path, SLUG));
  await waitFor('the exercise in the catalog', async () => {
    const rows = await db.query('SELECT 1 FROM exercises WHERE slug = $1 AND asset_version = 1', [SLUG]);
    return rows.length > 0;
  });
  await renderQueueDrained(pipeline);
});

afterAll(async () => {
  await service?.stop();
  await db?.close();
  await pipeline?.close();
});

async function compose() {
  const response = await fetch(`${service.url}/v1/compose`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(RECIPE),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function renderOf(videoId: string): Promise<RenderRow> {
  return (
    await db.query<RenderRow>('SELECT * FROM exercise_renders WHERE bunny_video_id = $1', [videoId])
  )[0]!;
}

function webhookBody(videoId: string, status: number, libraryId = Number(pipeline.bunny.libraryId)): string {
  return JSON.stringify({ VideoLibraryId: libraryId, VideoGuid: videoId, Status: status });
}

function callWebhook(body: string, signature: string | null) {
  return fetch(`${service.url}/v1/bunny/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-bunnystream-signature-version': 'v1',
      'x-bunnystream-signature-algorithm': 'hmac-sha256',
      ...(signature === null ? {} : { 'x-bunnystream-signature': signature }),
    },
    body,
  });
}

describe('compose API and the Bunny webhook while Bunny transcodes', () => {
  let videoId: string;

  it('answers with the video and its URL right after the upload, status encoding', async () => {
    const answer = await compose();
    expect(answer).toMatchObject({ status: 'encoding', cached: false, asset_version: 1 });
    videoId = String(answer.bunny_video_id);
    // BUNNY_STREAM_TOKEN_KEY is set: the URL carries a directory token valid for an hour.
    const url = String(answer.playback_hls_url);
    const signed =
      /^https:\/\/vz-test\.b-cdn\.net\/bcdn_token=([\w-]+)&expires=(\d+)&token_path=([^/]+)\/(.+)$/.exec(url);
    expect(signed, url).not.toBeNull();
    const [, token, expires, tokenPath, rest] = signed!;
    expect(rest).toBe(`${videoId}/playlist.m3u8`);
    expect(decodeURIComponent(tokenPath!)).toBe(`/${videoId}/`);
    expect(Number(expires) - Date.now() / 1000).toBeGreaterThan(3500);
    expect(token).toBe(bunnyDirectoryToken(TOKEN_KEY, `/${videoId}/`, Number(expires)));
    const status = (await (await fetch(`${service.url}/api/status`)).json()) as {
      renders: { id: number; status: string; playback_url: string | null; encode_progress: number | null }[];
    };
    const shown = status.renders.find((render) => render.playback_url?.includes(videoId));
    expect(shown).toMatchObject({ status: 'encoding', encode_progress: 0 });
    expect(shown?.playback_url).toContain('/bcdn_token=');
    expect(pipeline.bunny.videos().find((video) => video.guid === videoId)?.status).toBe(1);
    expect((await renderOf(videoId)).status).toBe('encoding');
    // A repeat while Bunny still works reports the same video, still encoding, without a new upload.
    expect(await compose()).toMatchObject({ bunny_video_id: videoId, status: 'encoding', cached: true });
  });

  it('refuses a call without a signature or with a wrong one (401), and changes nothing', async () => {
    const before = await renderOf(videoId);
    const body = webhookBody(videoId, 3);
    for (const signature of [null, '', 'not-hex', pipeline.bunny.signWebhook(webhookBody(videoId, 5))]) {
      const response = await callWebhook(body, signature);
      expect(response.status, String(signature)).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toMatch(/^WEBHOOK_/);
    }
    // Signed with the full-access key instead of the read-only one.
    const wrongKey = createHmac('sha256', pipeline.bunny.apiKey).update(body).digest('hex');
    expect((await callWebhook(body, wrongKey)).status).toBe(401);
    const after = await renderOf(videoId);
    expect(after.status).toBe('encoding');
    expect(after.updated_at).toEqual(before.updated_at);
  });

  it('ignores an unknown video and another library with 200', async () => {
    const unknown = webhookBody('00000000-0000-0000-0000-000000000000', 3);
    const answer = await callWebhook(unknown, pipeline.bunny.signWebhook(unknown));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ outcome: 'unknown-video' });
    const elsewhere = webhookBody(videoId, 3, 1);
    const other = await callWebhook(elsewhere, pipeline.bunny.signWebhook(elsewhere));
    expect(await other.json()).toEqual({ outcome: 'other-library' });
    expect((await renderOf(videoId)).status).toBe('encoding');
  });

  it('applies a correctly signed "finished", and a replay of it changes nothing', async () => {
    const body = webhookBody(videoId, 3);
    const signature = pipeline.bunny.signWebhook(body);
    const first = await callWebhook(body, signature);
    expect(first.status).toBe(200);
    const render = await renderOf(videoId);
    expect(await first.json()).toEqual({ outcome: 'ready', render_id: render.id });
    expect(render.status).toBe('ready');

    const replay = await callWebhook(body, signature);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ outcome: 'unknown-video' });
    expect((await renderOf(videoId)).updated_at).toEqual(render.updated_at);

    expect(await compose()).toMatchObject({ bunny_video_id: videoId, status: 'ready', cached: true });
  });
});
