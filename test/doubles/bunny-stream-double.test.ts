import { createHash, createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BunnyStreamDouble } from './bunny-stream-double.js';

// The double is checked over raw HTTP, so its faithfulness does not depend on the client under test.

let bunny: BunnyStreamDouble;

beforeEach(async () => {
  bunny = await new BunnyStreamDouble({ transcodingAfterMs: 40, finishedAfterMs: 120 }).start();
});

afterEach(async () => {
  await bunny.stop();
});

function call(
  method: string,
  path: string,
  init: { body?: BodyInit; key?: string | null; json?: unknown } = {},
) {
  const headers: Record<string, string> = {};
  const key = init.key === undefined ? bunny.apiKey : init.key;
  if (key !== null) headers.AccessKey = key;
  let body = init.body;
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  return fetch(`${bunny.url}/library/${bunny.libraryId}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
}

async function createVideo(title = 'clip'): Promise<string> {
  const response = await call('POST', '/videos', { json: { title } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { guid: string }).guid;
}

describe('auth', () => {
  it('answers 401 without a body for a missing or wrong key, or another library', async () => {
    for (const response of [
      await call('GET', '/videos', { key: null }),
      await call('GET', '/videos', { key: 'wrong' }),
      await fetch(`${bunny.url}/library/1/videos`, { headers: { AccessKey: bunny.apiKey } }),
    ]) {
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('');
    }
    expect(bunny.requests.every((request) => !request.authorized)).toBe(true);
  });
});

describe('videos', () => {
  it('refuses a video without a title with a status body', async () => {
    const response = await call('POST', '/videos', { json: {} });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ success: false, statusCode: 400 });
  });

  it('stores an upload once, records its bytes, and moves status 0 → 1 → 3 → 4', async () => {
    let now = 1_000_000;
    const timed = await new BunnyStreamDouble({
      transcodingAfterMs: 40,
      finishedAfterMs: 120,
      clock: () => now,
    }).start();
    try {
      const video = (path: string, init?: RequestInit) =>
        fetch(`${timed.url}/library/${timed.libraryId}${path}`, {
          ...init,
          headers: { AccessKey: timed.apiKey, 'Content-Type': 'application/json' },
        });
      const { guid } = (await (await video('/videos', { method: 'POST', body: '{"title":"t"}' })).json()) as {
        guid: string;
      };
      const state = async () => (await (await video(`/videos/${guid}`)).json()) as Record<string, unknown>;
      expect((await state()).status).toBe(0);
      const bytes = Buffer.from('not really an mp4, but bytes all the same');
      expect((await video(`/videos/${guid}`, { method: 'PUT', body: bytes })).status).toBe(200);
      expect((await state()).status).toBe(1);
      expect((await video(`/videos/${guid}`, { method: 'PUT', body: bytes })).status).toBe(400);
      expect(timed.upload(guid)?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(timed.upload(guid)?.data?.equals(bytes)).toBe(true);
      now += 40;
      expect(await state()).toMatchObject({ status: 3, encodeProgress: 50 });
      now += 80;
      expect(await state()).toMatchObject({ status: 4, encodeProgress: 100, storageSize: bytes.length });
    } finally {
      await timed.stop();
    }
  });

  it('forgets an upload the client broke off, so the next one is accepted', async () => {
    const id = await createVideo();
    const aborter = new AbortController();
    let sent = false;
    const stalling = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) controller.enqueue(new Uint8Array(1024));
        sent = true;
        // then never more bytes: the upload stalls until aborted
      },
    });
    const broken = fetch(`${bunny.url}/library/${bunny.libraryId}/videos/${id}`, {
      method: 'PUT',
      headers: { AccessKey: bunny.apiKey, 'Content-Length': '4096' },
      body: stalling,
      signal: aborter.signal,
      duplex: 'half',
    } as RequestInit).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    aborter.abort();
    expect(await broken).toBeInstanceOf(Error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await call('PUT', `/videos/${id}`, { body: 'whole' })).status).toBe(200);
    expect(bunny.upload(id)?.bytes).toBe(5);
  });

  it('reads each upload no faster than its per-connection bandwidth, after its latency', async () => {
    const slow = await new BunnyStreamDouble({ uploadBytesPerSecond: 100_000, latencyMs: 50 }).start();
    try {
      const video = (path: string, init: RequestInit = {}) =>
        fetch(`${slow.url}/library/${slow.libraryId}${path}`, {
          ...init,
          headers: { AccessKey: slow.apiKey },
        });
      const guids = await Promise.all(
        [1, 2].map(async () => {
          const created = await video('/videos', { method: 'POST', body: '{"title":"t"}' });
          return ((await created.json()) as { guid: string }).guid;
        }),
      );
      const started = performance.now();
      // Two uploads at once: each connection gets the whole bandwidth, so both end after ~0.6 s
      // (a bandwidth shared by both would take 1.2 s).
      const answers = await Promise.all(
        guids.map((guid) => video(`/videos/${guid}`, { method: 'PUT', body: new Uint8Array(60_000) })),
      );
      const seconds = (performance.now() - started) / 1000;
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      expect(seconds).toBeGreaterThanOrEqual(0.6);
      expect(seconds).toBeLessThan(1.1);
      expect(guids.map((guid) => slow.upload(guid)?.bytes)).toEqual([60_000, 60_000]);
    } finally {
      await slow.stop();
    }
  });

  it('answers 404 for an upload, get or delete of an unknown video, and for a second delete', async () => {
    expect((await call('PUT', '/videos/nope', { body: 'x' })).status).toBe(404);
    expect((await call('GET', '/videos/nope')).status).toBe(404);
    const id = await createVideo();
    expect((await call('DELETE', `/videos/${id}`)).status).toBe(200);
    expect((await call('DELETE', `/videos/${id}`)).status).toBe(404);
  });

  it('lists videos in pages, filtered by search and collection', async () => {
    const collection = (await (await call('POST', '/collections', { json: { name: 'knee' } })).json()) as {
      guid: string;
    };
    for (const title of ['knee a', 'knee b', 'hip c']) {
      await call('POST', '/videos', { json: { title, collectionId: collection.guid } });
    }
    await call('POST', '/videos', { json: { title: 'knee outside' } });
    const page = async (query: string) =>
      (await (await call('GET', `/videos?${query}`)).json()) as {
        totalItems: number;
        items: { title: string }[];
      };
    expect((await page('itemsPerPage=2&page=2')).items).toHaveLength(2);
    expect((await page('search=KNEE')).totalItems).toBe(3);
    expect((await page(`collection=${collection.guid}`)).totalItems).toBe(3);
    const both = await page(`collection=${collection.guid}&search=knee&itemsPerPage=1&page=2`);
    expect(both.totalItems).toBe(2);
    expect(both.items).toHaveLength(1);
  });
});

describe('collections', () => {
  it('creates, lists with search and paging, gets and deletes', async () => {
    for (const name of ['lumbar-release', 'lumbar', 'neck']) {
      expect((await call('POST', '/collections', { json: { name } })).status).toBe(200);
    }
    expect((await call('POST', '/collections', { json: {} })).status).toBe(400);
    const list = (await (await call('GET', '/collections?search=lumbar&itemsPerPage=1')).json()) as {
      totalItems: number;
      items: { guid: string }[];
    };
    expect(list.totalItems).toBe(2);
    expect(list.items).toHaveLength(1);
    const guid = list.items[0]!.guid;
    expect((await call('GET', `/collections/${guid}`)).status).toBe(200);
    expect((await call('DELETE', `/collections/${guid}`)).status).toBe(200);
    expect((await call('GET', `/collections/${guid}`)).status).toBe(404);
  });
});

describe('fault injection', () => {
  it('failNext answers the fault status for matching requests only', async () => {
    bunny.failNext(2, 503, { method: 'GET' });
    expect((await call('POST', '/collections', { json: { name: 'a' } })).status).toBe(200);
    expect((await call('GET', '/collections')).status).toBe(503);
    expect((await call('GET', '/collections')).status).toBe(503);
    expect((await call('GET', '/collections')).status).toBe(200);
    expect(bunny.requests.map((request) => request.status)).toEqual([200, 503, 503, 200]);
  });

  it('afterHandling applies the request, then answers the fault', async () => {
    const id = await createVideo();
    bunny.failNext(1, 503, { method: 'PUT', afterHandling: true });
    expect((await call('PUT', `/videos/${id}`, { body: 'abc' })).status).toBe(503);
    expect(bunny.upload(id)?.bytes).toBe(3);
  });

  it('failFor answers 503 during the window', async () => {
    let now = 0;
    const outage = await new BunnyStreamDouble({ clock: () => now }).start();
    try {
      const list = () =>
        fetch(`${outage.url}/library/${outage.libraryId}/videos`, { headers: { AccessKey: outage.apiKey } });
      outage.failFor(50);
      expect((await list()).status).toBe(503);
      now += 49;
      expect((await list()).status).toBe(503);
      now += 1;
      expect((await list()).status).toBe(200);
    } finally {
      await outage.stop();
    }
  });

  it('delayNext holds the answer back', async () => {
    bunny.delayNext(1, 150);
    const started = Date.now();
    expect((await call('GET', '/videos')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('stop() ends a delayed answer instead of waiting for it', async () => {
    bunny.delayNext(1, 30_000);
    const pending = call('GET', '/videos').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = Date.now();
    await bunny.stop();
    expect(await pending).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('transcoding and webhooks', () => {
  /** A receiver that records what it got and answers 200. */
  async function receiver() {
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/hook`,
      received,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it('reports the transcode asynchronously through signed webhook calls, 0 → 2 → 4 and 3', async () => {
    const hook = await receiver();
    bunny.setWebhookUrl(hook.url);
    try {
      const id = await createVideo();
      expect((await call('PUT', `/videos/${id}`, { body: 'bytes' })).status).toBe(200);
      const right = (await (await call('GET', `/videos/${id}`)).json()) as { status: number };
      expect(right.status).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await bunny.webhooksAnswered();
      const statuses = hook.received.map((call) => (JSON.parse(call.body) as { Status: number }).Status);
      expect(statuses.slice(0, 2)).toEqual([0, 2]);
      expect(statuses.slice(2).sort()).toEqual([3, 4]);
      for (const delivered of hook.received) {
        expect(JSON.parse(delivered.body)).toMatchObject({ VideoLibraryId: 4242, VideoGuid: id });
        expect(delivered.headers['x-bunnystream-signature-version']).toBe('v1');
        expect(delivered.headers['x-bunnystream-signature-algorithm']).toBe('hmac-sha256');
        const expected = createHmac('sha256', bunny.readOnlyApiKey).update(delivered.body).digest('hex');
        expect(delivered.headers['x-bunnystream-signature']).toBe(expected);
      }
      expect(bunny.webhooks.every((delivery) => delivery.answer === 200)).toBe(true);
      expect(((await (await call('GET', `/videos/${id}`)).json()) as { status: number }).status).toBe(4);
    } finally {
      await hook.close();
    }
  });

  it('fails a planned transcode with status 5, a transcoding message and webhook status 5', async () => {
    const hook = await receiver();
    bunny.setWebhookUrl(hook.url);
    bunny.failNextTranscodes(1, 'Unsupported codec');
    try {
      const failed = await createVideo('failing');
      await call('PUT', `/videos/${failed}`, { body: 'bytes' });
      const fine = await createVideo('fine');
      await call('PUT', `/videos/${fine}`, { body: 'bytes' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await bunny.webhooksAnswered();
      const model = (await (await call('GET', `/videos/${failed}`)).json()) as {
        status: number;
        transcodingMessages: { message: string; level: number }[];
      };
      expect(model.status).toBe(5);
      expect(model.transcodingMessages).toEqual([
        expect.objectContaining({ message: 'Unsupported codec', level: 3 }),
      ]);
      expect(((await (await call('GET', `/videos/${fine}`)).json()) as { status: number }).status).toBe(4);
      const last = hook.received
        .map((call) => JSON.parse(call.body) as { VideoGuid: string; Status: number })
        .filter((body) => body.VideoGuid === failed)
        .at(-1);
      expect(last?.Status).toBe(5);
    } finally {
      await hook.close();
    }
  });

  it('answers 200 with "success": false for a refused mutation and does not apply it', async () => {
    const id = await createVideo();
    bunny.refuseNext(1, { method: 'DELETE' }, 'locked');
    const response = await call('DELETE', `/videos/${id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: false, message: 'locked', statusCode: 400 });
    expect((await call('GET', `/videos/${id}`)).status).toBe(200);
  });
});
