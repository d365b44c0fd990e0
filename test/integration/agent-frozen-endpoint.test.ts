import { join } from 'node:path';
import { createS3Client } from '@exercise-pipeline/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readAgentConfig } from '@exercise-pipeline/ingest-agent/cli';
import { ingestDelivery } from '@exercise-pipeline/ingest-agent/ingest';
import { generateDelivery } from '../fixtures/index.js';
import { type MotoServer, startMotoServer, uniqueName } from '../harness/index.js';
import { bucketContents, createBucket, listKeys, useAgentWorld } from './agent-helpers.js';
import { startThrottleProxy, type ThrottleProxy } from '../doubles/throttle-proxy.js';

// The world's moto serves the reference bucket; the frozen one is a moto of this file's own, so
// stopping it cannot disturb anything else.
const world = useAgentWorld('agent-frozen', { topology: false });
let frozen: MotoServer;
let proxy: ThrottleProxy;

beforeAll(async () => {
  frozen = await startMotoServer('agent-frozen-target');
  // 128 KB/s: the ~640 KB bundle takes seconds, so the stop lands in the middle of an object.
  proxy = await startThrottleProxy(frozen.endpoint, 128 * 1024);
});

afterAll(async () => {
  if (frozen?.pid !== undefined) process.kill(frozen.pid, 'SIGCONT');
  await proxy?.close();
  await frozen?.stop();
});

interface LogLine {
  level: 'debug' | 'info' | 'warn';
  fields: Record<string, unknown>;
  msg: string;
}

function recordingLogger(lines: LogLine[], onLine: (line: LogLine) => void) {
  const at =
    (level: LogLine['level']) =>
    (fields: object | string, msg?: string): void => {
      const line =
        typeof fields === 'string'
          ? { level, fields: {}, msg: fields }
          : { level, fields: fields as Record<string, unknown>, msg: msg ?? '' };
      lines.push(line);
      onLine(line);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn') };
}

const RETRYING = 'transient S3/EventBridge failure, retrying';

describe('a frozen endpoint (process stopped, connections open)', () => {
  it('times out the stalled request, logs it, retries until the endpoint thaws and completes the bundle', async () => {
    const cacheDir = join(world.root, 'media-cache');
    const folderName = '310 Ramane';
    const { dir } = await generateDelivery(join(world.root, 'drop'), { folderName, cacheDir });
    const reference = await generateDelivery(join(world.root, 'drop-reference'), { folderName, cacheDir });
    const config = await readAgentConfig();

    const referenceBucket = uniqueName('reference');
    await createBucket(world.clients.s3, referenceBucket);
    const done = await ingestDelivery({
      folder: reference.dir,
      config,
      s3: world.clients.s3,
      bucket: referenceBucket,
      eventBusName: 'default',
      dataDir: join(world.root, 'data-reference'),
      settleCheckMs: 0,
    });
    expect(done.status).toBe('done');

    const admin = createS3Client({ endpoint: frozen.endpoint, region: 'eu-central-1' });
    const bucket = uniqueName('frozen');
    const s3 = createS3Client({
      endpoint: proxy.endpoint,
      region: 'eu-central-1',
      connectTimeoutMs: 2_000,
      requestTimeoutMs: 2_000,
    });
    const lines: LogLine[] = [];
    let stoppedAt: number | undefined;
    let thawedAt: number | undefined;
    // The SDK must stay quiet on the console: the agent's own lines say what happened.
    const consoleError = vi.spyOn(console, 'error');
    const consoleWarn = vi.spyOn(console, 'warn');
    try {
      await createBucket(admin, bucket);
      const pid = frozen.pid as number;
      const thaw = () => {
        if (stoppedAt === undefined || thawedAt !== undefined) return;
        process.kill(pid, 'SIGCONT');
        thawedAt = performance.now();
      };
      let lastResort: NodeJS.Timeout | undefined;
      const result = await ingestDelivery({
        folder: dir,
        config,
        s3,
        bucket,
        eventBusName: 'default',
        dataDir: join(world.root, 'data'),
        settleCheckMs: 0,
        retry: { baseDelayMs: 100, maxDelayMs: 500 },
        // Thaw once the agent has noticed the silence, logged it and is about to retry.
        logger: recordingLogger(lines, (line) => {
          if (line.msg === RETRYING) thaw();
        }),
        onProgress: (progress) => {
          if (stoppedAt !== undefined || progress.bytesDone === 0) return;
          // Some bytes are in, the rest is in flight: freeze the endpoint with its sockets open.
          process.kill(pid, 'SIGSTOP');
          stoppedAt = performance.now();
          lastResort = setTimeout(thaw, 60_000);
        },
      }).finally(() => clearTimeout(lastResort));
      if (thawedAt === undefined) process.kill(pid, 'SIGCONT');

      expect(stoppedAt).toBeDefined();
      expect(result.status).toBe('done');
      const retries = lines.filter((line) => line.msg === RETRYING);
      expect(retries.length, JSON.stringify(lines.map((line) => line.msg))).toBeGreaterThan(0);
      // Each names the silence as the cause and what was being done.
      expect(retries.some((line) => /no answer from the endpoint/.test(String(line.fields.problem)))).toBe(
        true,
      );
      expect(retries.every((line) => typeof line.fields.what === 'string')).toBe(true);
      expect(Object.keys(await bucketContents(admin, bucket))).toHaveLength(11);
      expect(await bucketContents(admin, bucket)).toEqual(
        await bucketContents(world.clients.s3, referenceBucket),
      );
      expect(await listKeys(admin, bucket, 'ramane/')).toContain('ramane/manifest.json');
      expect(consoleError).not.toHaveBeenCalled();
      expect(consoleWarn).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
      consoleWarn.mockRestore();
      s3.destroy();
      admin.destroy();
    }
  }, 120_000);
});
