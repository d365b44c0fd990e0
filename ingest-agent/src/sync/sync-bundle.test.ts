import { randomBytes } from 'node:crypto';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { createS3Client, parsePipelineMessage } from '@exercise-pipeline/shared';
import {
  type Fixture,
  MiB,
  makeFixture,
  readObject,
  recordCommands,
  sha256,
  syncOptions,
} from '@exercise-pipeline/test/agent';
import { createAwsClients, createTempDir, uniqueName, useMotoServer } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashCache } from './hash-cache.js';
import { headObject, listObjects } from './s3-objects.js';
import { type SyncProgress, syncBundle } from './sync-bundle.js';
import { checksumOf } from './upload-file.js';

const moto = useMotoServer('sync');
let aws: ReturnType<typeof createAwsClients>;
let root: Awaited<ReturnType<typeof createTempDir>>;

beforeAll(async () => {
  aws = createAwsClients(moto.endpoint);
  root = await createTempDir('sync');
});
afterAll(async () => {
  await aws?.close();
  await root?.remove();
});

const fixtureWith = (extra: Record<string, Buffer> = {}): Promise<Fixture> =>
  makeFixture(aws.s3, root.path, extra);
const options = syncOptions;
const read = (bucket: string, key: string) => readObject(aws.s3, bucket, key);

async function createEventQueue(bucket: string): Promise<string> {
  const { QueueUrl } = await aws.sqs.send(new CreateQueueCommand({ QueueName: uniqueName('synced') }));
  const { Attributes } = await aws.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const rule = uniqueName('bundle-synced');
  await aws.events.send(
    new PutRuleCommand({
      Name: rule,
      EventPattern: JSON.stringify({
        source: ['exercise-pipeline.ingest'],
        'detail-type': ['Bundle Synced'],
        detail: { bucket: [bucket] },
      }),
    }),
  );
  await aws.events.send(
    new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'queue', Arn: Attributes!.QueueArn! }] }),
  );
  return QueueUrl!;
}

async function receiveOne(queueUrl: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { Messages } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    const message = Messages?.[0];
    if (message?.Body !== undefined) {
      await aws.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      return message.Body;
    }
  }
  throw new Error(`no message arrived on ${queueUrl} within 10 s`);
}

describe('syncBundle against moto_server', () => {
  it('uploads every file with hash, SSE and content type, the manifest last, and announces the bundle', async () => {
    const fixture = await fixtureWith();
    const queueUrl = await createEventQueue(fixture.bucket);
    const s3 = createS3Client({ endpoint: moto.endpoint });
    const commands = recordCommands(s3);
    try {
      const result = await syncBundle(options(fixture, s3, { events: aws.events }));

      const keys = Object.keys(fixture.files).map((relative) => `${fixture.slug}/${relative}`);
      expect(result.uploaded.sort()).toEqual([...keys].sort());
      expect(result.skipped).toEqual([]);
      expect(result.changed).toBe(true);
      expect(result.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      const expectedTypes: Record<string, string> = {
        json: 'application/json',
        mp4: 'video/mp4',
        mp3: 'audio/mpeg',
      };
      for (const [relative, content] of Object.entries(fixture.files)) {
        const key = `${fixture.slug}/${relative}`;
        const head = await headObject(aws.s3, fixture.bucket, key);
        expect(head, key).toMatchObject({
          size: content.length,
          sha256: sha256(content),
          serverSideEncryption: 'AES256',
          contentType: expectedTypes[relative.split('.').pop()!],
          // Sent as x-amz-checksum-sha256, which S3 verifies before it stores the object.
          checksumSha256: checksumOf(sha256(content)),
        });
        expect(sha256(await read(fixture.bucket, key))).toBe(sha256(content));
      }

      const puts = commands.filter((entry) => entry.command === 'PutObjectCommand');
      const manifestStart = puts.findIndex(
        (entry) => entry.key?.endsWith('/manifest.json') && entry.phase === 'start',
      );
      expect(puts.slice(0, manifestStart).filter((entry) => entry.phase === 'end')).toHaveLength(
        keys.length - 1,
      );
      expect(puts.at(-1)).toMatchObject({ key: `${fixture.slug}/manifest.json`, phase: 'end' });

      const event = parsePipelineMessage(await receiveOne(queueUrl));
      expect(event.ok && event.message.type === 'bundle-synced' ? event.message : event).toMatchObject({
        exercise: fixture.slug,
        bucket: fixture.bucket,
        languages: ['ro', 'en'],
        fingerprint: result.fingerprint,
      });
      if (event.ok && event.message.type === 'bundle-synced') {
        expect([...event.message.changedKeys].sort()).toEqual([...keys].sort());
      }
    } finally {
      s3.destroy();
    }
  });

  it('re-syncs an unchanged bundle with one listing, no upload and no local file read', async () => {
    const fixture = await fixtureWith();
    await syncBundle(options(fixture, aws.s3));

    const s3 = createS3Client({ endpoint: moto.endpoint });
    const commands = recordCommands(s3);
    const cache = await HashCache.load(fixture.dataDir);
    try {
      const result = await syncBundle(options(fixture, s3, { hashCache: cache, events: aws.events }));
      expect(result.uploaded).toEqual([]);
      expect(result.skipped).toHaveLength(Object.keys(fixture.files).length);
      expect(result.changed).toBe(false);
      expect(result.eventPublished).toBe(false);
      expect(cache.stats).toEqual({ hits: Object.keys(fixture.files).length, misses: 0 });
      expect(commands.filter((entry) => entry.phase === 'start').map((entry) => entry.command)).toEqual([
        'ListObjectsV2Command',
      ]);
    } finally {
      s3.destroy();
    }
  });

  it("stores extra metadata (a voice-over's loudness) with the object, and still skips it when unchanged", async () => {
    const fixture = await fixtureWith();
    const loudness = { 'loudness-lufs': '-23.4', 'true-peak-dbtp': '-3.2' };
    const objectMetadata = new Map([['audio/ro/intro-vo-1.mp3', loudness]]);
    await syncBundle(options(fixture, aws.s3, { objectMetadata }));
    const key = `${fixture.slug}/audio/ro/intro-vo-1.mp3`;
    const head = await aws.s3.send(new HeadObjectCommand({ Bucket: fixture.bucket, Key: key }));
    expect(head.Metadata).toEqual({
      ...loudness,
      'content-sha256': sha256(fixture.files['audio/ro/intro-vo-1.mp3']!),
    });
    const other = await aws.s3.send(
      new HeadObjectCommand({ Bucket: fixture.bucket, Key: `${fixture.slug}/intro-video-1.mp4` }),
    );
    expect(other.Metadata).not.toHaveProperty('loudness-lufs');

    // The same bytes measure the same: the object is skipped and keeps its values.
    const again = await syncBundle(options(fixture, aws.s3, { objectMetadata }));
    expect(again.uploaded).toEqual([]);
    expect(again.skipped).toContain(key);
    expect((await aws.s3.send(new HeadObjectCommand({ Bucket: fixture.bucket, Key: key }))).Metadata).toEqual(
      head.Metadata,
    );
  });

  it('without a cache proves equality by HeadObject, and re-uploads an object lacking the stored hash', async () => {
    const fixture = await fixtureWith();
    await syncBundle(options(fixture, aws.s3));
    // Same bytes, written by another tool: no content-sha256 metadata.
    const foreign = `${fixture.slug}/intro-video-1.mp4`;
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: fixture.bucket,
        Key: foreign,
        Body: fixture.files['intro-video-1.mp4'] as Buffer,
      }),
    );

    const s3 = createS3Client({ endpoint: moto.endpoint });
    const commands = recordCommands(s3);
    try {
      const result = await syncBundle(options(fixture, s3, { dataDir: join(fixture.dataDir, 'elsewhere') }));
      expect(result.uploaded).toEqual([foreign]);
      expect(result.skipped).toHaveLength(Object.keys(fixture.files).length - 1);
      const heads = commands.filter(
        (entry) => entry.command === 'HeadObjectCommand' && entry.phase === 'start',
      );
      // One per object to prove equality, plus the check after the single upload.
      expect(heads).toHaveLength(Object.keys(fixture.files).length + 1);
      expect((await headObject(aws.s3, fixture.bucket, foreign))?.sha256).toBe(
        sha256(fixture.files['intro-video-1.mp4']!),
      );
    } finally {
      s3.destroy();
    }
  });

  it('uploads exactly the one file whose content changed (same size)', async () => {
    const fixture = await fixtureWith();
    const first = await syncBundle(options(fixture, aws.s3));
    const changed = randomBytes(fixture.files['outro-video-1.mp4']!.length);
    const path = join(fixture.localDir, 'outro-video-1.mp4');
    await writeFile(path, changed);
    const later = new Date(Date.now() + 60_000);
    await utimes(path, later, later);

    const result = await syncBundle(options(fixture, aws.s3));
    expect(result.uploaded).toEqual([`${fixture.slug}/outro-video-1.mp4`]);
    expect(result.bytesUploaded).toBe(changed.length);
    expect(result.fingerprint).not.toBe(first.fingerprint);
    expect(sha256(await read(fixture.bucket, `${fixture.slug}/outro-video-1.mp4`))).toBe(sha256(changed));
  });

  it('uploads a file above the threshold in parts, byte-identical, reporting progress per part', async () => {
    const big = randomBytes(17 * MiB + 123);
    const fixture = await fixtureWith({ 'rep-right-video-1.mp4': big });
    const progress: SyncProgress[] = [];
    const result = await syncBundle(
      options(fixture, aws.s3, { partSizeBytes: 5 * MiB, onProgress: (update) => progress.push(update) }),
    );
    const key = `${fixture.slug}/rep-right-video-1.mp4`;
    expect(result.uploaded).toContain(key);
    const head = await headObject(aws.s3, fixture.bucket, key);
    expect(head?.etag).toMatch(/-4$/);
    expect(head?.sha256).toBe(sha256(big));
    // Every part went with its own sha256 (S3 verifies each); the object keeps a checksum of them.
    expect(head?.checksumSha256).toEqual(expect.any(String));
    expect(head?.checksumSha256).not.toBe(checksumOf(sha256(big)));
    expect(sha256(await read(fixture.bucket, key))).toBe(sha256(big));

    const total = progress.at(-1)!;
    expect(total).toMatchObject({ filesDone: total.filesTotal, bytesDone: total.bytesTotal });
    const partial = progress.filter((update) => update.bytesDone > 0 && update.bytesDone < update.bytesTotal);
    expect(partial.length).toBeGreaterThanOrEqual(3);
    const done = progress.map((update) => update.bytesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  });

  it('keeps a remote extra without prune and deletes only it (not a neighbouring prefix) with prune', async () => {
    const fixture = await fixtureWith();
    const extra = `${fixture.slug}/pauza-video-7.mp4`;
    const neighbour = `${fixture.slug}-other/pauza-video-7.mp4`;
    for (const key of [extra, neighbour]) {
      await aws.s3.send(new PutObjectCommand({ Bucket: fixture.bucket, Key: key, Body: 'old' }));
    }
    const kept = await syncBundle(options(fixture, aws.s3));
    expect(kept.deleted).toEqual([]);
    expect(await headObject(aws.s3, fixture.bucket, extra)).not.toBeNull();

    const pruned = await syncBundle(options(fixture, aws.s3, { prune: true }));
    expect(pruned).toMatchObject({ deleted: [extra], uploaded: [], changed: true });
    expect(await headObject(aws.s3, fixture.bucket, extra)).toBeNull();
    expect(await headObject(aws.s3, fixture.bucket, neighbour)).not.toBeNull();
  });

  it('refuses a file outside the layout before uploading anything', async () => {
    const fixture = await fixtureWith({
      'notes.txt': Buffer.from('hello'),
      'audio/ro/Intro.MP3': randomBytes(10),
    });
    await expect(syncBundle(options(fixture, aws.s3))).rejects.toMatchObject({
      code: 'BUNDLE_LAYOUT_INVALID',
      files: ['audio/ro/Intro.MP3', 'notes.txt'],
    });
    expect(await listObjects(aws.s3, fixture.bucket, '')).toEqual([]);
  });

  it('refuses a manifest that names another exercise before uploading anything', async () => {
    const fixture = await fixtureWith();
    await writeFile(
      join(fixture.localDir, 'manifest.json'),
      JSON.stringify({ exercise: 'other', languages: ['ro'] }),
    );
    await expect(syncBundle(options(fixture, aws.s3))).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    expect(await listObjects(aws.s3, fixture.bucket, '')).toEqual([]);
  });
});
