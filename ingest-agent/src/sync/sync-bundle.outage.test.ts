import { randomBytes } from 'node:crypto';
import { createS3Client } from '@exercise-pipeline/shared';
import { MiB, makeFixture, syncOptions as options, readObject, sha256 } from '@exercise-pipeline/test/agent';
import { startTcpGate } from '@exercise-pipeline/test/doubles';
import { createAwsClients, createTempDir, useMotoServer, waitFor } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncBundle } from './sync-bundle.js';

// The S3 endpoint going away mid-sync. moto runs behind a TCP gate the test closes and reopens on
// the same port (see tcp-gate.ts for why the gate, not a moto restart).
const moto = useMotoServer('sync-outage');
let aws: ReturnType<typeof createAwsClients>;
let root: Awaited<ReturnType<typeof createTempDir>>;

beforeAll(async () => {
  aws = createAwsClients(moto.endpoint);
  root = await createTempDir('sync-outage');
});
afterAll(async () => {
  await aws?.close();
  await root?.remove();
});

describe('syncBundle while the endpoint is down', () => {
  it('waits while the endpoint is down mid-sync and completes with the right bytes once it is back', async () => {
    const fixture = await makeFixture(aws.s3, root.path, {
      'rep-right-video-1.mp4': randomBytes(12 * MiB),
      'rep-right-video-2.mp4': randomBytes(3 * MiB),
      'rep-left-video-2.mp4': randomBytes(3 * MiB),
    });
    const gate = await startTcpGate(Number(new URL(moto.endpoint).port));
    const s3 = createS3Client({ endpoint: `http://127.0.0.1:${gate.port}` });
    const warnings: unknown[] = [];
    const logger = { debug() {}, info() {}, warn: (entry: unknown) => warnings.push(entry) };
    try {
      let cut = false;
      let finished = false;
      const sync = syncBundle(
        options(fixture, s3, {
          concurrency: 2,
          partSizeBytes: 5 * MiB,
          multipartThresholdBytes: 6 * MiB,
          partConcurrency: 1,
          retry: { baseDelayMs: 50, maxDelayMs: 300 },
          logger: logger as never,
          onProgress: (update) => {
            if (!cut && update.bytesDone > 0) {
              cut = true;
              void gate.down();
            }
          },
        }),
      ).finally(() => {
        finished = true;
      });
      await waitFor('the gate to cut the sync', () => cut, 20_000, 10);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(finished).toBe(false);
      await gate.up();
      const result = await sync;

      expect(warnings.length).toBeGreaterThan(0);
      expect(result.uploaded).toHaveLength(Object.keys(fixture.files).length);
      for (const [relative, content] of Object.entries(fixture.files)) {
        const key = `${fixture.slug}/${relative}`;
        expect(sha256(await readObject(aws.s3, fixture.bucket, key)), key).toBe(sha256(content));
      }
    } finally {
      s3.destroy();
      await gate.close();
    }
  });

  it('stops waiting for a down endpoint when aborted', async () => {
    const fixture = await makeFixture(aws.s3, root.path);
    const gate = await startTcpGate(Number(new URL(moto.endpoint).port));
    await gate.down();
    const s3 = createS3Client({ endpoint: `http://127.0.0.1:${gate.port}` });
    const controller = new AbortController();
    try {
      const sync = syncBundle(
        options(fixture, s3, { retry: { baseDelayMs: 50, maxDelayMs: 200 }, signal: controller.signal }),
      );
      setTimeout(() => controller.abort(new Error('agent stopping')), 500);
      await expect(sync).rejects.toThrow('agent stopping');
    } finally {
      s3.destroy();
      await gate.close();
    }
  });
});
