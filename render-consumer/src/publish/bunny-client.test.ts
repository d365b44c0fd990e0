import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import { createLogger } from '@exercise-pipeline/shared';
import { BunnyStreamDouble } from '@exercise-pipeline/test/doubles';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BunnyClient, type BunnyClientOptions } from './bunny-client.js';
import { BunnyApiError } from './errors.js';

let bunny: BunnyStreamDouble;
let dir: TempDir;
let file: string;
let fileSha256: string;

beforeAll(async () => {
  dir = await createTempDir('bunny-client');
  file = join(dir.path, 'render.mp4');
  const bytes = randomBytes(300_000);
  await writeFile(file, bytes);
  fileSha256 = createHash('sha256').update(bytes).digest('hex');
});

afterAll(async () => {
  await dir.remove();
});

beforeEach(async () => {
  bunny = await new BunnyStreamDouble({ transcodingAfterMs: 0, finishedAfterMs: 0 }).start();
});

afterEach(async () => {
  await bunny.stop();
});

function client(options: Partial<BunnyClientOptions> = {}): BunnyClient {
  return new BunnyClient({
    apiUrl: bunny.url,
    libraryId: bunny.libraryId,
    apiKey: bunny.apiKey,
    timeoutMs: 1_000,
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
}

async function rejection(promise: Promise<unknown>): Promise<BunnyApiError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BunnyApiError);
  return error as BunnyApiError;
}

describe('BunnyClient', () => {
  it('creates, uploads the exact bytes, reads and deletes a video', async () => {
    const bunnyClient = client();
    const video = await bunnyClient.createVideo({ title: 'lumbar-release · ro · 3f9a1c2b7d4e · v2' });
    expect(video.status).toBe(0);
    await bunnyClient.uploadVideo(video.guid, file);
    expect(bunny.upload(video.guid)?.sha256).toBe(fileSha256);
    expect(bunny.upload(video.guid)?.chunks).toBeGreaterThan(1);
    const upload = bunny.requestsTo('PUT', /^\/videos\//)[0];
    expect(upload?.status).toBe(200);
    expect((await bunnyClient.getVideo(video.guid))?.status).toBe(4);
    expect(await bunnyClient.deleteVideo(video.guid)).toEqual({ deleted: true });
    expect(await bunnyClient.getVideo(video.guid)).toBeNull();
  });

  it('treats deleting a video that is already gone as done', async () => {
    expect(await client().deleteVideo('00000000-0000-0000-0000-000000000000')).toEqual({ deleted: false });
    expect(bunny.requests.map((request) => request.status)).toEqual([404]);
  });

  it('retries a 503 and then succeeds, looking for a lost create before each repeat', async () => {
    bunny.failNext(2, 503, { method: 'POST' });
    const video = await client().createVideo({ title: 'retry me' });
    expect(video.title).toBe('retry me');
    expect(bunny.requestsTo('POST', /^\/videos$/).map((request) => request.status)).toEqual([503, 503, 200]);
    const lookups = bunny.requestsTo('GET', /^\/videos$/);
    expect(lookups.map((request) => request.query.search)).toEqual(['retry me', 'retry me']);
    expect(bunny.videos()).toHaveLength(1);
  });

  it('takes the video a create made when its answer was lost, instead of making a second', async () => {
    const bunnyClient = client();
    const collection = await bunnyClient.createCollection('hip');
    bunny.failNext(1, 503, { method: 'POST', path: /^\/videos$/, afterHandling: true });
    const video = await bunnyClient.createVideo({ title: 'hip · ro · v1', collectionId: collection.guid });
    expect(bunny.videos().map((made) => made.guid)).toEqual([video.guid]);
    expect(video).toMatchObject({ title: 'hip · ro · v1', collectionId: collection.guid, status: 0 });
    expect(bunny.requestsTo('POST', /^\/videos$/).map((request) => request.status)).toEqual([503]);
    expect(bunny.requestsTo('GET', /^\/videos$/)[0]?.query).toMatchObject({
      search: 'hip · ro · v1',
      collection: collection.guid,
    });
  });

  it('creates again when no video of a lost create exists, ignoring near misses', async () => {
    const bunnyClient = client();
    const hip = await bunnyClient.createCollection('hip');
    const knee = await bunnyClient.createCollection('knee');
    const uploaded = await bunnyClient.createVideo({ title: 'hip v1', collectionId: hip.guid });
    await bunnyClient.uploadVideo(uploaded.guid, file);
    await bunnyClient.createVideo({ title: 'hip v1', collectionId: knee.guid });
    await bunnyClient.createVideo({ title: 'hip v1 (copy)', collectionId: hip.guid });
    const before = new Set(bunny.videos().map((video) => video.guid));
    // Refused before any work: Bunny made nothing, so only a new create gives a video.
    bunny.failNext(1, 503, { method: 'POST', path: /^\/videos$/ });
    const video = await bunnyClient.createVideo({ title: 'hip v1', collectionId: hip.guid });
    expect(before.has(video.guid)).toBe(false);
    expect(bunny.videos()).toHaveLength(before.size + 1);
    expect(
      bunny
        .requestsTo('POST', /^\/videos$/)
        .map((request) => request.status)
        .slice(-2),
    ).toEqual([503, 200]);
  });

  it('does not look for a lost create after a 429, which Bunny answers before doing anything', async () => {
    bunny.failNext(1, 429, { method: 'POST' });
    await client().createVideo({ title: 'throttled' });
    expect(bunny.requestsTo('GET', /^\/videos$/)).toEqual([]);
    expect(bunny.videos()).toHaveLength(1);
  });

  it('takes the collection a create made when its answer timed out', async () => {
    bunny.delayNext(1, 3_000, { method: 'POST', path: /^\/collections$/ });
    const collection = await client({ timeoutMs: 300 }).createCollection('neck');
    expect(bunny.collections().map((made) => made.guid)).toEqual([collection.guid]);
  });

  it('gives up after the configured attempts with a retryable PUBLISH_FAILED error', async () => {
    bunny.failNext(10, 503);
    const error = await rejection(
      client({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } }).listVideos(),
    );
    expect(error).toMatchObject({
      code: 'PUBLISH_FAILED',
      status: 503,
      operation: 'listVideos',
      retryable: true,
    });
    expect(error.message).toContain('after 3 attempts');
    expect(bunny.requests).toHaveLength(3);
  });

  it('does not retry a 400', async () => {
    const error = await rejection(client().createVideo({ title: '' }));
    expect(error.status).toBe(400);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('The Title field is required');
    expect(bunny.requests).toHaveLength(1);
  });

  it('counts an upload as done when Bunny stored it but the answer was a 503', async () => {
    const bunnyClient = client();
    const video = await bunnyClient.createVideo({ title: 'lost answer' });
    bunny.failNext(1, 503, { method: 'PUT', afterHandling: true });
    await bunnyClient.uploadVideo(video.guid, file);
    expect(bunny.requestsTo('PUT', /^\/videos\//).map((request) => request.status)).toEqual([503, 400]);
    expect(bunny.upload(video.guid)?.sha256).toBe(fileSha256);
  });

  it('fails an upload answered 200 with "success": false, and does not retry it', async () => {
    const bunnyClient = client();
    const video = await bunnyClient.createVideo({ title: 'refused upload' });
    bunny.refuseNext(1, { method: 'PUT' }, 'Video upload failed: storage quota exceeded');
    const error = await rejection(bunnyClient.uploadVideo(video.guid, file));
    expect(error).toMatchObject({ code: 'PUBLISH_FAILED', operation: 'uploadVideo', status: 200 });
    expect(error.message).toContain('"success": false');
    expect(error.message).toContain('storage quota exceeded');
    expect(bunny.requestsTo('PUT', /^\/videos\//)).toHaveLength(1);
    expect(bunny.upload(video.guid)).toBeUndefined();
    expect((await bunnyClient.getVideo(video.guid))?.status).toBe(0);
  });

  it('fails a delete answered 200 with "success": false; the video stays', async () => {
    const bunnyClient = client();
    const video = await bunnyClient.createVideo({ title: 'kept' });
    bunny.refuseNext(1, { method: 'DELETE' }, 'The video is locked.');
    const error = await rejection(bunnyClient.deleteVideo(video.guid));
    expect(error).toMatchObject({ operation: 'deleteVideo', status: 200, retryable: false });
    expect(error.message).toContain('The video is locked.');
    expect(error.message).not.toContain(bunny.apiKey);
    expect(bunny.videos().map((made) => made.guid)).toEqual([video.guid]);
  });

  it('still fails a retried upload refused with 400 when Bunny has no bytes', async () => {
    const bunnyClient = client();
    const video = await bunnyClient.createVideo({ title: 'failed upload' });
    bunny.failNext(1, 503, { method: 'PUT', afterHandling: true });
    bunny.setVideoStatus(video.guid, 6);
    const error = await rejection(bunnyClient.uploadVideo(video.guid, file));
    expect(error.status).toBe(400);
  });

  it('tries a refused upload again while the video still shows "created"', async () => {
    // Scripted answers: the first PUT broke off, Bunny still holds it (400), then accepts the retry.
    const answers = [
      new Response('busy', { status: 503 }),
      Response.json(
        { success: false, message: 'The video has already been uploaded.', statusCode: 400 },
        { status: 400 },
      ),
      Response.json({ videoLibraryId: 1, guid: 'v1', status: 0 }),
      Response.json({ success: true, message: 'OK', statusCode: 200 }),
    ];
    const calls: string[] = [];
    const scripted: typeof fetch = async (input, init) => {
      calls.push(`${init?.method} ${new URL(String(input)).pathname}`);
      await (init?.body as ReadableStream | undefined)?.cancel();
      const answer = answers.shift();
      if (!answer) throw new Error('unexpected extra request');
      return answer;
    };
    await client({ fetch: scripted }).uploadVideo('v1', file);
    expect(calls).toEqual([
      `PUT /library/${bunny.libraryId}/videos/v1`,
      `PUT /library/${bunny.libraryId}/videos/v1`,
      `GET /library/${bunny.libraryId}/videos/v1`,
      `PUT /library/${bunny.libraryId}/videos/v1`,
    ]);
  });

  it('retries after a request timed out', async () => {
    const bunnyClient = client({ timeoutMs: 400 });
    const video = await bunnyClient.createVideo({ title: 'slow' });
    bunny.delayNext(1, 5_000, { method: 'GET' });
    expect((await bunnyClient.getVideo(video.guid))?.guid).toBe(video.guid);
    const gets = bunny.requestsTo('GET', /^\/videos\//);
    expect(gets).toHaveLength(2);
    expect(gets[0]?.delayedMs).toBe(5_000);
  });

  it('retries an upload whose answer timed out and accepts the bytes that did arrive', async () => {
    const bunnyClient = client({ uploadTimeoutMs: 600 });
    const video = await bunnyClient.createVideo({ title: 'slow upload' });
    bunny.delayNext(1, 5_000, { method: 'PUT' });
    await bunnyClient.uploadVideo(video.guid, file);
    expect(bunny.requestsTo('PUT', /^\/videos\//)).toHaveLength(2);
    expect(bunny.upload(video.guid)?.sha256).toBe(fileSha256);
  });

  it('reports an unreachable API without retrying forever', async () => {
    const port = Number(new URL(bunny.url).port);
    await bunny.stop();
    const error = await rejection(client({ apiUrl: `http://127.0.0.1:${port}` }).listVideos());
    expect(error.message).toMatch(/ECONNREFUSED.*gave up after 4 attempt/);
    expect(error.status).toBeUndefined();
  });

  it('explains a 401 without ever showing the key, in errors or logs', async () => {
    const secret = `secret-${randomBytes(8).toString('hex')}`;
    const lines: string[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const logger = createLogger({ destination, level: 'debug', pretty: false });
    bunny.failNext(1, 503);
    const error = await rejection(client({ apiKey: secret, logger }).createVideo({ title: 'x' }));
    expect(error.status).toBe(401);
    expect(error.message).toContain('BUNNY_STREAM_API_KEY');
    expect(lines.join('')).toContain('retrying');
    for (const text of [error.message, inspect(error), JSON.stringify(error), lines.join('')]) {
      expect(text).not.toContain(secret);
    }
  });

  it('redacts the key even when the server echoes it back', async () => {
    const echo = `${bunny.apiKey}-is-wrong`;
    const fakeFetch: typeof fetch = async () =>
      new Response(JSON.stringify({ success: false, message: echo, statusCode: 403 }), { status: 403 });
    const error = await rejection(client({ fetch: fakeFetch }).listCollections());
    expect(error.message).toContain('[redacted]-is-wrong');
    expect(error.message).not.toContain(bunny.apiKey);
  });

  it('does not follow a redirect, so the key never reaches another host', async () => {
    const redirector = createServer((request, response) => {
      response.writeHead(302, { location: `${bunny.url}${request.url}` }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = redirector.address() as AddressInfo;
      const error = await rejection(client({ apiUrl: `http://127.0.0.1:${port}` }).listVideos());
      expect(error.status).toBe(302);
      expect(error.message).toContain('BUNNY_STREAM_API_URL');
      expect(bunny.requests).toEqual([]);
    } finally {
      const closed = new Promise((resolve) => redirector.close(resolve));
      redirector.closeAllConnections();
      await closed;
    }
  });

  it('finds a collection by exact name across pages and creates it only when absent', async () => {
    const bunnyClient = client();
    const exact = await bunnyClient.createCollection('lumbar-release');
    for (let index = 0; index < 120; index++) await bunnyClient.createCollection(`lumbar-release-${index}`);
    // The search matches all 121 (substring) and lists newest first: the exact name is on page 2.
    expect((await bunnyClient.findCollection('lumbar-release'))?.guid).toBe(exact.guid);
    expect(bunny.requestsTo('GET', /^\/collections$/).map((request) => request.query.page)).toEqual([
      '1',
      '2',
    ]);
    expect(await bunnyClient.findCollection('lumbar')).toBeNull();
    const before = bunny.collections().length;
    const created = await bunnyClient.findOrCreateCollection('neck-mobility');
    const reused = await bunnyClient.findOrCreateCollection('neck-mobility');
    expect(reused.guid).toBe(created.guid);
    expect(bunny.collections()).toHaveLength(before + 1);
  });

  it('lists videos of a collection page by page', async () => {
    const bunnyClient = client();
    const collection = await bunnyClient.createCollection('hip');
    for (let index = 0; index < 3; index++) {
      await bunnyClient.createVideo({ title: `hip ${index}`, collectionId: collection.guid });
    }
    await bunnyClient.createVideo({ title: 'elsewhere' });
    const page = await bunnyClient.listVideos({ collection: collection.guid, itemsPerPage: 2, page: 2 });
    expect(page.totalItems).toBe(3);
    expect(page.items).toHaveLength(1);
  });
});
