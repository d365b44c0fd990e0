import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SyncBundleOptions } from '@exercise-pipeline/ingest-agent/sync';
import { uniqueName } from '../harness/aws.js';

/** Helpers shared by the sync integration tests (not used by the agent itself). */

export const KiB = 1024;
export const MiB = 1024 * KiB;

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export interface Fixture {
  slug: string;
  bucket: string;
  localDir: string;
  dataDir: string;
  /** Relative key → content, as written to `localDir`. */
  files: Record<string, Buffer>;
}

async function writeBundle(localDir: string, files: Record<string, Buffer>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    await mkdir(dirname(join(localDir, relative)), { recursive: true });
    await writeFile(join(localDir, relative), content);
  }
}

/** A fresh bucket and a small bundle of random bytes (six files) under `root`, plus any `extra` files. */
export async function makeFixture(
  s3: S3Client,
  root: string,
  extra: Record<string, Buffer> = {},
): Promise<Fixture> {
  const slug = uniqueName('ex');
  const bucket = uniqueName('assets');
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
    }),
  );
  const files: Record<string, Buffer> = {
    'manifest.json': Buffer.from(JSON.stringify({ exercise: slug, languages: ['ro', 'en'] })),
    'intro-video-1.mp4': randomBytes(64 * KiB),
    'rep-left-video-1.mp4': randomBytes(96 * KiB),
    'outro-video-1.mp4': randomBytes(48 * KiB),
    'audio/ro/intro-vo-1.mp3': randomBytes(16 * KiB),
    'audio/en/rep-left-vo-1.mp3': randomBytes(24 * KiB),
    ...extra,
  };
  const localDir = join(root, slug, 'bundle');
  await writeBundle(localDir, files);
  return { slug, bucket, localDir, dataDir: join(root, slug, 'data'), files };
}

export function syncOptions(
  fixture: Fixture,
  s3: S3Client,
  extra: Partial<SyncBundleOptions> = {},
): SyncBundleOptions {
  return {
    s3,
    bucket: fixture.bucket,
    slug: fixture.slug,
    localDir: fixture.localDir,
    eventBusName: 'default',
    dataDir: fixture.dataDir,
    retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
    ...extra,
  };
}

export interface RecordedCommand {
  command: string;
  key?: string | undefined;
  phase: 'start' | 'end';
}

/** Observes (never alters) every S3 command sent through `s3`: its name, key, and when it started and ended. */
export function recordCommands(s3: S3Client): RecordedCommand[] {
  const log: RecordedCommand[] = [];
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const key = (args.input as { Key?: string }).Key;
      const command = context.commandName ?? 'unknown';
      log.push({ command, key, phase: 'start' });
      const output = await next(args);
      log.push({ command, key, phase: 'end' });
      return output;
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return log;
}

export async function readObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}
