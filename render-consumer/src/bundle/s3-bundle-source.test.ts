import { readdir, readFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createAwsClients, uniqueName, useMotoServer, useTempDir } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadCache } from './download-cache.js';
import { BundleObjectError, listBundleObjects, S3BundleSource } from './s3-bundle-source.js';

const moto = useMotoServer('bundle-source');
const temp = useTempDir('bundle-source');
const bucket = uniqueName('assets');
let aws: ReturnType<typeof createAwsClients>;

async function put(key: string, body: string): Promise<void> {
  await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

beforeAll(async () => {
  aws = createAwsClients(moto.endpoint);
  await aws.s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
    }),
  );
  await put('squat/manifest.json', '{"exercise":"squat","languages":["ro"]}');
  await put('squat/intro-video-1.mp4', 'intro-bytes');
  await put('squat/audio/ro/intro-vo-1.mp3', 'vo-bytes');
  await put('squat/notes.txt', 'not part of the bundle');
  await put('squat-two/manifest.json', '{}');
});

afterAll(async () => {
  await aws?.close();
});

describe('S3BundleSource', () => {
  it('lists only bundle-layout keys of its own prefix, with size and unquoted ETag', async () => {
    const objects = await listBundleObjects(aws.s3, bucket, 'squat');
    expect(objects.map((object) => object.key)).toEqual([
      'audio/ro/intro-vo-1.mp3',
      'intro-video-1.mp4',
      'manifest.json',
    ]);
    expect(objects[1]).toMatchObject({
      size: 'intro-bytes'.length,
      etag: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(objects[1]?.lastModified).toBeInstanceOf(Date);
  });

  it('downloads an unchanged object once, across renders', async () => {
    const cache = new DownloadCache({ dir: path.join(temp.path, 'cache-once') });
    const first = new S3BundleSource({ s3: aws.s3, bucket, slug: 'squat', cache });
    const file = await first.localPath('intro-video-1.mp4');
    expect(await readFile(file, 'utf8')).toBe('intro-bytes');
    expect(await first.readManifest()).toContain('"exercise":"squat"');

    const second = new S3BundleSource({ s3: aws.s3, bucket, slug: 'squat', cache });
    expect(await second.localPath('intro-video-1.mp4')).toBe(file);
    await second.readManifest();
    expect(cache.stats).toMatchObject({ misses: 2, hits: 2 });

    // A changed object has a new ETag: the next render downloads the new bytes.
    await put('squat/intro-video-1.mp4', 'new-intro');
    const third = new S3BundleSource({ s3: aws.s3, bucket, slug: 'squat', cache });
    expect(await readFile(await third.localPath('intro-video-1.mp4'), 'utf8')).toBe('new-intro');
    expect(cache.stats.misses).toBe(3);
  });

  it("reads a voice-over's user metadata, from the download when there was one, else with a HEAD", async () => {
    const tags = { 'loudness-lufs': '-23.4', 'true-peak-dbtp': '-3.2' };
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'tagged/audio/ro/intro-vo-1.mp3',
        Body: 'vo',
        Metadata: tags,
      }),
    );
    await put('tagged/audio/ro/outro-vo-1.mp3', 'plain');
    const cache = new DownloadCache({ dir: path.join(temp.path, 'cache-metadata') });
    const downloaded = new S3BundleSource({ s3: aws.s3, bucket, slug: 'tagged', cache });
    await downloaded.localPath('audio/ro/intro-vo-1.mp3');
    expect(await downloaded.metadata('audio/ro/intro-vo-1.mp3')).toEqual(tags);
    // A later render finds the file cached, so nothing was downloaded: the metadata comes from HEAD.
    const cached = new S3BundleSource({ s3: aws.s3, bucket, slug: 'tagged', cache });
    await cached.localPath('audio/ro/intro-vo-1.mp3');
    expect(cache.stats.hits).toBe(1);
    expect(await cached.metadata('audio/ro/intro-vo-1.mp3')).toEqual(tags);
    expect(await cached.metadata('audio/ro/outro-vo-1.mp3')).toEqual({});

    // Replaced after the listing: the HEAD must not describe bytes other than the listed ones.
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'tagged/audio/ro/outro-vo-1.mp3',
        Body: 'replaced',
        Metadata: { 'loudness-lufs': '-9.0', 'true-peak-dbtp': '-1.0' },
      }),
    );
    const error = await cached.metadata('audio/ro/outro-vo-1.mp3').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleObjectError);
    expect((error as Error).message).toMatch(
      new RegExp(`^could not read the metadata of s3://${bucket}/tagged/audio/ro/outro-vo-1\\.mp3: `),
    );
  });

  it('names the S3 key of a missing object', async () => {
    const cache = new DownloadCache({ dir: path.join(temp.path, 'cache-missing') });
    const source = new S3BundleSource({ s3: aws.s3, bucket, slug: 'squat', cache });
    const error = await source.localPath('rep-left-video-1.mp4').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleObjectError);
    expect((error as Error).message).toBe(
      `s3://${bucket}/squat/rep-left-video-1.mp4 is missing from the bundle`,
    );
  });
});

describe('DownloadCache', () => {
  it('evicts least-recently-used files past its size bound, never the one just added', async () => {
    const dir = path.join(temp.path, 'cache-lru');
    const cache = new DownloadCache({ dir, maxBytes: 25 });
    const body = (text: string) => async () => Readable.from([text]);
    const a = await cache.get('b', 'a.mp4', 'e1', body('0123456789'));
    const b = await cache.get('b', 'b.mp4', 'e1', body('0123456789'));
    // Make `a` the most recently used, then add a third file that overflows the bound.
    await utimes(b, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await cache.get('b', 'a.mp4', 'e1', body('unused'));
    const c = await cache.get('b', 'c.mp4', 'e1', body('0123456789'));
    const exists = async (file: string) =>
      readFile(file).then(
        () => true,
        () => false,
      );
    expect(await exists(a)).toBe(true);
    expect(await exists(b)).toBe(false);
    expect(await exists(c)).toBe(true);
    expect(cache.stats).toEqual({ hits: 1, misses: 3, evicted: 1 });
  });

  it('leaves no partial file behind when a download fails', async () => {
    const dir = path.join(temp.path, 'cache-fail');
    const cache = new DownloadCache({ dir });
    const failing = async () =>
      new Readable({
        read() {
          this.destroy(new Error('connection reset'));
        },
      });
    await expect(cache.get('b', 'x.mp4', 'e', failing)).rejects.toThrow('connection reset');
    expect(await readdir(dir)).toEqual([]);
  });
});
