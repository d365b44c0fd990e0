import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg } from '@exercise-pipeline/shared';
import { BunnyStreamDouble } from '@exercise-pipeline/test/doubles';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BunnyClient } from './bunny-client.js';
import { BunnyPublisher, playbackUrl, stateOfBunnyStatus, videoTitle } from './bunny-publisher.js';
import type { PublishInput } from './publisher.js';

describe('pure parts', () => {
  it('titles a video with slug, language, 12-char hash prefix and asset version', () => {
    const title = videoTitle({
      exercise: 'lumbar-release',
      language: 'ro',
      recipeHash: '3f9a1c2b7d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4',
      assetVersion: 2,
    });
    expect(title).toBe('lumbar-release · ro · 3f9a1c2b7d4e · v2');
  });

  it('builds the HLS URL on the CDN hostname, tolerating a scheme or trailing slash', () => {
    expect(playbackUrl('vz-12.b-cdn.net', 'abc')).toBe('https://vz-12.b-cdn.net/abc/playlist.m3u8');
    expect(playbackUrl('https://vz-12.b-cdn.net/', 'abc')).toBe('https://vz-12.b-cdn.net/abc/playlist.m3u8');
  });

  it('maps Bunny status codes: 4 ready, 5 and 6 failed, anything else processing', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 42].map(stateOfBunnyStatus)).toEqual([
      'processing',
      'processing',
      'processing',
      'processing',
      'ready',
      'failed',
      'failed',
      'processing',
      'processing',
      'processing',
    ]);
  });
});

const CREATE_VIDEO = { method: 'POST', path: /^\/videos$/ };

describe('BunnyPublisher through the Bunny Stream double', () => {
  let dir: TempDir;
  let mp4: string;
  let bunny: BunnyStreamDouble;
  let now = 0;

  beforeAll(async () => {
    dir = await createTempDir('bunny-publisher');
    mp4 = join(dir.path, 'render.mp4');
    await runFfmpeg(
      [
        ...['-f', 'lavfi', '-i', 'testsrc=duration=2:size=160x120:rate=25'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', mp4],
      ],
      { timeoutMs: 30_000 },
    );
  });

  afterAll(async () => {
    await dir.remove();
  });

  beforeEach(async () => {
    // Real wall-clock time: the client compares Bunny's creation dates with its own clock.
    now = Date.now();
    bunny = await new BunnyStreamDouble({
      transcodingAfterMs: 10_000,
      finishedAfterMs: 30_000,
      clock: () => now,
    }).start();
  });

  afterEach(async () => {
    await bunny.stop();
  });

  function publisher(timeoutMs?: number): BunnyPublisher {
    const client = new BunnyClient({
      apiUrl: bunny.url,
      libraryId: bunny.libraryId,
      apiKey: bunny.apiKey,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    return new BunnyPublisher({ client, cdnHostname: 'vz-test.b-cdn.net' });
  }

  function input(overrides: Partial<PublishInput> = {}): PublishInput {
    return {
      filePath: mp4,
      exercise: 'lumbar-release',
      language: 'ro',
      recipeHash: 'a'.repeat(64),
      assetVersion: 1,
      durationSeconds: 2,
      ...overrides,
    };
  }

  it('publishes the exact bytes into the exercise collection and becomes ready', async () => {
    const target = publisher();
    const result = await target.publish(input());
    expect(result.playbackUrl).toBe(`https://vz-test.b-cdn.net/${result.videoId}/playlist.m3u8`);
    const sent = createHash('sha256')
      .update(await readFile(mp4))
      .digest('hex');
    expect(bunny.upload(result.videoId)?.sha256).toBe(sent);
    const [collection] = bunny.collections();
    expect(collection).toMatchObject({ name: 'lumbar-release', videoCount: 1 });
    expect(bunny.videos()[0]).toMatchObject({
      title: 'lumbar-release · ro · aaaaaaaaaaaa · v1',
      collectionId: collection?.guid,
    });
    expect((await target.status(result.videoId)).state).toBe('processing');
    now += 30_000;
    const ready = await target.status(result.videoId);
    expect(ready.state).toBe('ready');
    expect(ready.raw).toMatchObject({ status: 4, length: 2 });
  });

  it('reuses the collection of a slug, also from a fresh publisher', async () => {
    const first = await publisher().publish(input());
    const target = publisher();
    const [second, third] = await Promise.all([
      target.publish(input({ language: 'en' })),
      target.publish(input({ assetVersion: 2 })),
    ]);
    await publisher().publish(input({ exercise: 'neck-mobility' }));
    const collections = bunny.collections();
    expect(collections.map((collection) => collection.name).sort()).toEqual([
      'lumbar-release',
      'neck-mobility',
    ]);
    const lumbar = collections.find((collection) => collection.name === 'lumbar-release');
    expect(lumbar?.videoCount).toBe(3);
    expect(bunny.requestsTo('POST', /^\/collections$/)).toHaveLength(2);
    const ids = new Set([first.videoId, second.videoId, third.videoId]);
    expect(ids.size).toBe(3);
  });

  it('finds the collection again when it was deleted behind its back', async () => {
    const target = publisher();
    await target.publish(input());
    const stale = bunny.collections()[0]?.guid as string;
    await fetch(`${bunny.url}/library/${bunny.libraryId}/collections/${stale}`, {
      method: 'DELETE',
      headers: { AccessKey: bunny.apiKey },
    });
    const result = await target.publish(input({ assetVersion: 2 }));
    const fresh = bunny.collections();
    expect(fresh).toHaveLength(1);
    expect(fresh[0]?.guid).not.toBe(stale);
    expect(bunny.videos().find((video) => video.guid === result.videoId)?.collectionId).toBe(fresh[0]?.guid);
  });

  it.each([
    ['a 503 after Bunny made it', () => bunny.failNext(1, 503, { ...CREATE_VIDEO, afterHandling: true })],
    ['a timeout after Bunny made it', () => bunny.delayNext(1, 2_000, CREATE_VIDEO)],
  ])('uploads into the one video Bunny made when the create answer was lost (%s)', async (_, fault) => {
    await publisher().publish(input({ assetVersion: 1 }));
    fault();
    const result = await publisher(300).publish(input({ assetVersion: 2 }));
    const title = 'lumbar-release · ro · aaaaaaaaaaaa · v2';
    const videos = bunny.videos().filter((video) => video.title === title);
    expect(videos.map((video) => video.guid)).toEqual([result.videoId]);
    expect(bunny.videos()).toHaveLength(2);
    expect(bunny.requestsTo('POST', /^\/videos$/)).toHaveLength(2);
    const sent = createHash('sha256')
      .update(await readFile(mp4))
      .digest('hex');
    expect(bunny.upload(result.videoId)?.sha256).toBe(sent);
  });

  it('creates the collection once when its create answer was lost', async () => {
    bunny.failNext(1, 503, { method: 'POST', path: /^\/collections$/, afterHandling: true });
    const result = await publisher().publish(input());
    expect(bunny.collections().map((collection) => collection.name)).toEqual(['lumbar-release']);
    expect(bunny.videos().find((video) => video.guid === result.videoId)?.collectionId).toBe(
      bunny.collections()[0]?.guid,
    );
  });

  it('deletes the empty video and fails with PUBLISH_FAILED when the upload cannot succeed', async () => {
    bunny.failNext(5, 503, { method: 'PUT' });
    await expect(publisher().publish(input())).rejects.toMatchObject({ code: 'PUBLISH_FAILED', status: 503 });
    expect(bunny.videos()).toEqual([]);
    expect(bunny.requestsTo('DELETE', /^\/videos\//).map((request) => request.status)).toEqual([200]);
  });

  it('reports failed and missing videos, and deletes idempotently', async () => {
    const target = publisher();
    const { videoId } = await target.publish(input());
    bunny.setVideoStatus(videoId, 5);
    expect((await target.status(videoId)).state).toBe('failed');
    expect(await target.delete(videoId)).toEqual({ deleted: true });
    expect(await target.delete(videoId)).toEqual({ deleted: false });
    expect(await target.status(videoId)).toEqual({ state: 'missing' });
  });
});
