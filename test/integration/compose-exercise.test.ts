/**
 * `exercise-consumer compose --exercise <slug>`: the bundle is read from the assets bucket through
 * the download cache, exactly as the agent uploaded it, and a second render of the same bundle
 * downloads nothing.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { exercisePrefix, probeMedia } from '@exercise-pipeline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedBundle, generateBundle } from '../fixtures/index.js';
import {
  type AwsClients,
  createAwsClients,
  uniqueName,
  useMotoServer,
  useTempDir,
} from '../harness/index.js';
import { jsonOf, runConsumerCli } from './ops-cli.js';

const moto = useMotoServer('compose-exercise');
const temp = useTempDir('compose-exercise');
const slug = uniqueName('genuflexiuni');
const bucket = uniqueName('assets');
let aws: AwsClients & { close(): Promise<void> };
let bundle: GeneratedBundle;

/** 160x90, 1 s rep blocks and 2 s framing clips: enough for a real render, quick to make. */
beforeAll(async () => {
  bundle = await generateBundle(path.join(temp.path, 'bundle'), {
    exercise: slug,
    width: 160,
    height: 90,
    repSeconds: 0.2,
    framingSeconds: 2,
    languages: ['ro'],
  });
  aws = createAwsClients(moto.endpoint);
  await aws.s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
    }),
  );
  // The manifest goes last, as the agent uploads it.
  for (const relative of [...bundle.files.map((file) => file.path), 'manifest.json']) {
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${exercisePrefix(slug)}${relative}`,
        Body: await readFile(path.join(bundle.dir, relative)),
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  await aws?.close();
});

function env(): Record<string, string> {
  return { ...moto.env, ASSETS_BUCKET: bucket, DATA_DIR: path.join(temp.path, 'data') };
}

const composeArgs = (out: string) => [
  'compose',
  '--exercise',
  slug,
  '--language',
  'ro',
  '--sets',
  'left:5,right:5',
  '--seed',
  '3',
  '--out',
  out,
  '--json',
];

/** Name → inode of every cached object: a re-download is written aside and renamed, a new inode. */
async function cachedObjects(): Promise<Map<string, number>> {
  const dir = path.join(temp.path, 'data', 'cache', 'objects');
  const names = (await readdir(dir)).filter((name) => !name.endsWith('.part')).sort();
  return new Map(
    await Promise.all(names.map(async (name) => [name, (await stat(path.join(dir, name))).ino] as const)),
  );
}

describe('compose --exercise', () => {
  it('renders the bundle from the assets bucket, then renders it again without downloading', async () => {
    const first = path.join(temp.path, 'renders', 'first.mp4');
    const run = await runConsumerCli(composeArgs(first), env());
    expect(run.code, run.stderr).toBe(0);
    const document = jsonOf<{ durationSeconds: number; path: string; mode: string }>(run);
    expect(document.durationSeconds).toBeGreaterThan(0);
    expect(document.path).toBe(first);
    expect((await probeMedia(first)).durationSeconds).toBeCloseTo(document.durationSeconds, 1);

    const cached = await cachedObjects();
    // Manifest, the chosen videos and voice-overs: at least one object, none of them twice.
    expect(cached.size).toBeGreaterThan(1);
    expect(cached.size).toBeLessThanOrEqual(bundle.files.length + 1);

    const second = path.join(temp.path, 'renders', 'second.mp4');
    const again = await runConsumerCli(composeArgs(second), env());
    expect(again.code, again.stderr).toBe(0);
    expect(jsonOf<{ durationSeconds: number }>(again).durationSeconds).toBe(document.durationSeconds);
    expect(await cachedObjects()).toEqual(cached);
  }, 90_000);
});
