import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BunnyStreamDouble } from '@exercise-pipeline/test/doubles';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BunnyClient } from './bunny-client.js';
import { BunnyPublisher } from './bunny-publisher.js';
import { tusAuthorizationHeaders } from './bunny-tus.js';
import { BunnyApiError } from './errors.js';

let dir: TempDir;
let file: string;
let fileSha256: string;
const SIZE = 3 * 1024 * 1024;
let bunny: BunnyStreamDouble;

beforeAll(async () => {
  dir = await createTempDir('bunny-tus');
  file = join(dir.path, 'render.mp4');
  const bytes = randomBytes(SIZE);
  await writeFile(file, bytes);
  fileSha256 = createHash('sha256').update(bytes).digest('hex');
});

afterAll(async () => {
  await dir.remove();
});

beforeEach(async () => {
  bunny = await new BunnyStreamDouble({ transcodingAfterMs: 10_000, finishedAfterMs: 20_000 }).start();
});

afterEach(async () => {
  await bunny.stop();
});

function client(apiKey = bunny.apiKey): BunnyClient {
  return new BunnyClient({
    apiUrl: bunny.url,
    libraryId: bunny.libraryId,
    apiKey,
    timeoutMs: 2_000,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    tus: { retryDelaysMs: [0, 50, 100] },
  });
}

describe('tusAuthorizationHeaders', () => {
  it('signs library id, API key, expiry in seconds and video id with sha256, hex', () => {
    const headers = tusAuthorizationHeaders('4242', 'key', 'video-1', 1_800_000_000);
    expect(headers).toEqual({
      AuthorizationSignature: createHash('sha256').update('4242key1800000000video-1').digest('hex'),
      AuthorizationExpire: '1800000000',
      LibraryId: '4242',
      VideoId: 'video-1',
    });
  });
});

describe('resumable upload through the Bunny double', () => {
  it('resumes after a cut connection at the offset Bunny holds, and Bunny gets the exact bytes', async () => {
    const bunnyClient = client();
    const video = await bunnyClient.createVideo({ title: 'big render' });
    bunny.cutNextTusPatch(1024 * 1024);
    await bunnyClient.uploadVideoResumable(video.guid, file, { title: 'big render', thumbnailTimeMs: 1500 });

    expect(bunny.upload(video.guid)).toMatchObject({ bytes: SIZE, sha256: fileSha256 });
    const [state] = bunny.tusUploads();
    expect(state).toMatchObject({ videoId: video.guid, length: SIZE, offset: SIZE, cuts: 1, patches: 2 });
    expect(state?.metadata).toMatchObject({
      filetype: 'video/mp4',
      title: 'big render',
      thumbnailTime: '1500',
    });
    // Resumed, not restarted: Bunny was asked for its offset, then sent only the rest.
    const tus = bunny.requests.filter((request) => request.path.startsWith('/tusupload'));
    expect(tus.map((request) => request.method)).toEqual(['POST', 'PATCH', 'HEAD', 'PATCH']);
    expect(bunny.requestsTo('PUT', /^\/videos\//)).toEqual([]);
    // Like any upload, it is not playable yet.
    expect((await bunnyClient.getVideo(video.guid))?.status).toBe(1);
  });

  it('fails at once, without retrying, when Bunny refuses the signature', async () => {
    const video = await client().createVideo({ title: 'refused' });
    const error = await client('not-the-key')
      .uploadVideoResumable(video.guid, file, { title: 'refused' })
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );
    expect(error).toBeInstanceOf(BunnyApiError);
    expect((error as Error).message).toContain('resumable upload');
    expect((error as Error).message).not.toContain('not-the-key');
    expect(bunny.requests.filter((request) => request.path.startsWith('/tusupload'))).toHaveLength(1);
    expect(bunny.upload(video.guid)).toBeUndefined();
  });

  it('is what the publisher uses above the threshold', async () => {
    const publisher = new BunnyPublisher({
      client: client(),
      cdnHostname: 'vz-1.b-cdn.net',
      tusThresholdBytes: 1024,
    });
    const published = await publisher.publish({
      filePath: file,
      exercise: 'squat',
      language: 'ro',
      recipeHash: 'a'.repeat(64),
      assetVersion: 1,
      durationSeconds: 10,
    });
    expect(published.state).toBe('processing');
    expect(bunny.upload(published.videoId)?.sha256).toBe(fileSha256);
    expect(bunny.tusUploads().map((upload) => upload.metadata.collection)).toEqual([
      bunny.collections()[0]?.guid,
    ]);
    expect(bunny.requestsTo('PUT', /^\/videos\//)).toEqual([]);
  });
});
