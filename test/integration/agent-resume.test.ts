import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createS3Client } from '@exercise-pipeline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAgentConfig } from '@exercise-pipeline/ingest-agent/cli';
import { ingestDelivery } from '@exercise-pipeline/ingest-agent/ingest';
import { generateDelivery } from '../fixtures/index.js';
import { freePort, uniqueName } from '../harness/index.js';
import { bucketContents, createBucket, listKeys, runAgent, useAgentWorld } from './agent-helpers.js';
import { startThrottleProxy, type ThrottleProxy } from '../doubles/throttle-proxy.js';

const bin = fileURLToPath(new URL('../../ingest-agent/bin/exercise-agent.js', import.meta.url));
// Each test makes its own buckets, so the file needs no shared bucket or event route.
const world = useAgentWorld('agent-resume', { topology: false });
let proxy: ThrottleProxy;

beforeAll(async () => {
  // 64 KB/s per connection: the ~640 KB bundle takes seconds, enough to be killed mid-way.
  proxy = await startThrottleProxy(world.moto.endpoint, 64 * 1024);
});

afterAll(async () => {
  await proxy?.close();
});

/** Spawns `exercise-agent ingest` and SIGKILLs it once the first file is in and others are in flight. */
async function killMidUpload(folder: string, env: Record<string, string>): Promise<{ killed: boolean }> {
  const child: ChildProcess = spawn(process.execPath, [bin, 'ingest', folder], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let killed = false;
  let buffer = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      let record: { msg?: string; filesDone?: number; filesTotal?: number };
      try {
        record = JSON.parse(line);
      } catch {
        continue;
      }
      if (killed || record.msg !== 'upload progress') continue;
      if ((record.filesDone ?? 0) >= 1 && (record.filesDone ?? 0) < (record.filesTotal ?? 0)) {
        killed = child.kill('SIGKILL');
      }
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await once(child, 'exit');
  clearTimeout(timer);
  return { killed };
}

describe('agent resume', () => {
  it('ends with the same bucket contents after a SIGKILL mid-upload, re-uploading nothing that landed', async () => {
    const folderName = '300 Extensii';
    const slug = 'extensii';
    const cacheDir = join(world.root, 'media-cache');
    const { dir } = await generateDelivery(join(world.root, 'drop'), { folderName, cacheDir });
    const reference = await generateDelivery(join(world.root, 'drop-reference'), { folderName, cacheDir });

    const referenceBucket = uniqueName('reference');
    await createBucket(world.clients.s3, referenceBucket);
    const base = { ...world.moto.env, LOG_LEVEL: 'info', EVENT_BUS_NAME: 'default' };
    const clean = await runAgent(['ingest', reference.dir, '--json'], {
      ...base,
      ASSETS_BUCKET: referenceBucket,
      DATA_DIR: join(world.root, 'data-reference'),
    });
    expect(clean.code, clean.stderr).toBe(0);

    const bucket = uniqueName('assets');
    await createBucket(world.clients.s3, bucket);
    const env = { ...base, ASSETS_BUCKET: bucket, DATA_DIR: join(world.root, 'data') };
    const { killed } = await killMidUpload(dir, { ...env, AWS_ENDPOINT_URL: proxy.endpoint });
    expect(killed).toBe(true);
    const landed = await listKeys(world.clients.s3, bucket);
    expect(landed.length).toBeGreaterThan(0);
    expect(landed.length).toBeLessThan(11);
    expect(landed).not.toContain(`${slug}/manifest.json`);

    const restart = await runAgent(['ingest', dir, '--json'], env);
    expect(restart.code, restart.stderr).toBe(0);
    const uploaded = (restart.json as { uploaded: string[] }).uploaded;
    expect(new Set(uploaded).size).toBe(uploaded.length);
    for (const key of landed) expect(uploaded).not.toContain(key);
    expect([...landed, ...uploaded].sort()).toEqual(await listKeys(world.clients.s3, bucket));

    const contents = await bucketContents(world.clients.s3, bucket);
    expect(Object.keys(contents)).toHaveLength(11);
    expect(contents).toEqual(await bucketContents(world.clients.s3, referenceBucket));
  });

  it('waits while the endpoint is down and completes when it returns', async () => {
    const { dir } = await generateDelivery(join(world.root, 'drop-outage'), {
      folderName: '301 Flexii',
      cacheDir: join(world.root, 'media-cache'),
    });
    const bucket = uniqueName('outage');
    await createBucket(world.clients.s3, bucket);
    const port = await freePort();
    const s3 = createS3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'eu-central-1' });
    let revived: ThrottleProxy | undefined;
    // Nothing listens on the port yet: every S3 call is refused until the "endpoint" comes back.
    const comeBack = setTimeout(async () => {
      revived = await startThrottleProxy(world.moto.endpoint, 100 * 1024 * 1024, { port });
    }, 2_000);
    try {
      const result = await ingestDelivery({
        folder: dir,
        config: await readAgentConfig(),
        s3,
        bucket,
        eventBusName: 'default',
        dataDir: join(world.root, 'data-outage'),
        settleCheckMs: 0,
        retry: { baseDelayMs: 100, maxDelayMs: 400 },
      });
      expect(result.status).toBe('done');
      expect(result.uploaded).toHaveLength(11);
    } finally {
      clearTimeout(comeBack);
      s3.destroy();
      await revived?.close();
    }
    expect(await listKeys(world.clients.s3, bucket, 'flexii/')).toHaveLength(11);
  });
});
