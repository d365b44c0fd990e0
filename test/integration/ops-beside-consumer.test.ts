/**
 * The operator's moment: `consumer run` is running on the embedded PGlite catalog (which is one
 * process's), and `catalog show` and `dlq list` must work beside it. They ask the running consumer's
 * API (with COMPOSER_API_TOKEN) instead of refusing; once it stopped they open the catalog again.
 * On PostgreSQL they read the database as before.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { CatalogEntry, DeadLetterEntry } from '@exercise-pipeline/render-consumer/ops';
import { consumerApiFile } from '@exercise-pipeline/render-consumer/ops';
import { BunnyClient } from '@exercise-pipeline/render-consumer/publish';
import { describe, expect, it } from 'vitest';
import { freePort } from '../harness/index.js';
import { usePipeline, waitFor, waitForPreviews } from './consumer-helpers.js';
import { startConsumerRun } from './consumer-run-child.js';
import { jsonOf, runConsumerCli } from './ops-cli.js';

const world = usePipeline('ops-beside-consumer');
const TOKEN = 'ops-token-for-the-tests';

/** `consumer run` on the embedded catalog in `dataDir`, its API on a free port behind TOKEN, short waits. */
async function startFastConsumer(dataDir: string, extra: Record<string, string>, label: string) {
  return startConsumerRun(
    world.consumerEnv(dataDir, {
      ...extra,
      COMPOSER_API_TOKEN: TOKEN,
      COMPOSER_PORT: String(await freePort()),
      SETTLE_SECONDS: '1',
      QUEUE_WAIT_SECONDS: '1',
      QUEUE_RETRY_BASE_SECONDS: '1',
      QUEUE_RETRY_MAX_SECONDS: '2',
      SHUTDOWN_DEADLINE_SECONDS: '2',
    }),
    label,
  );
}

describe('ops commands beside a running consumer', () => {
  it('reads the embedded catalog through the consumer that holds it (PGlite)', async () => {
    const slug = 'tractiuni-umar';
    await world.sync(slug);
    const dataDir = path.join(world.root, 'pglite-consumer');
    const consumer = await startFastConsumer(dataDir, {}, 'consumer run (pglite)');
    const ops = world.consumerEnv(dataDir, { COMPOSER_API_TOKEN: TOKEN });
    try {
      // The fault as found: the catalog is held by the running consumer.
      const holder = Number(await readFile(path.join(dataDir, 'catalog-pglite', 'pipeline.pid'), 'utf8'));
      const announced = JSON.parse(await readFile(consumerApiFile(dataDir), 'utf8')) as { pid: number };
      expect(announced.pid).toBe(holder);

      const entry = await waitFor(
        `two ready previews of ${slug} in catalog show`,
        async () => {
          const run = await runConsumerCli(['catalog', 'show', slug, '--json'], ops);
          if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
          const shown = jsonOf<CatalogEntry>(run);
          // The catalog pointer moves just after the renders turn ready: wait for both.
          const ready = shown.renders.filter((render) => render.status === 'ready').length === 2;
          return ready && shown.exercise.catalog_render_id !== null ? shown : undefined;
        },
        180_000,
        1000,
      );
      expect(entry.exercise).toMatchObject({ slug, asset_version: 1, status: 'active' });
      expect(entry.exercise.catalog_render_id).not.toBeNull();

      await world.pipeline.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: world.pipeline.topology.queueUrl, MessageBody: 'not an event' }),
      );
      const listed = await waitFor(
        'the junk message in dlq list',
        async () => {
          const run = await runConsumerCli(['dlq', 'list', '--json'], ops);
          if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
          const entries = jsonOf<DeadLetterEntry[]>(run);
          return entries.length > 0 ? { entries, stderr: run.stderr } : undefined;
        },
        60_000,
        1000,
      );
      expect(listed.entries[0]?.reason).toBeTruthy();
      expect(listed.stderr).not.toContain('catalog unavailable');

      const wrongToken = await runConsumerCli(['catalog', 'show', slug], {
        ...ops,
        COMPOSER_API_TOKEN: 'wrong',
      });
      expect(wrongToken.code).toBe(1);
      expect(wrongToken.stderr).toContain('COMPOSER_API_TOKEN');
    } finally {
      expect(await consumer.stop()).toBe(0);
    }

    // Stopped: the address is gone and the command opens the catalog itself.
    await expect(readFile(consumerApiFile(dataDir), 'utf8')).rejects.toThrow(/ENOENT/);
    const direct = await runConsumerCli(['catalog', 'show', slug, '--json'], ops);
    expect(direct.code).toBe(0);
    expect(jsonOf<CatalogEntry>(direct).exercise.slug).toBe(slug);
  }, 400_000);

  it('reconciles the Bunny library through the consumer that holds the catalog; --fix needs the catalog', async () => {
    const slug = 'rotatii-trunchi';
    await world.sync(slug);
    const dataDir = path.join(world.root, 'pglite-bunny-consumer');
    const bunny = {
      PUBLISH_TARGET: 'bunny',
      BUNNY_STREAM_API_URL: world.pipeline.bunny.url,
      BUNNY_STREAM_LIBRARY_ID: world.pipeline.bunny.libraryId,
      BUNNY_STREAM_API_KEY: world.pipeline.bunny.apiKey,
      BUNNY_STREAM_CDN_HOSTNAME: 'vz-test.b-cdn.net',
    };
    const consumer = await startFastConsumer(
      dataDir,
      { ...bunny, TRANSCODE_POLL_SECONDS: '1' },
      'consumer run (pglite, bunny)',
    );
    const ops = world.consumerEnv(dataDir, { ...bunny, COMPOSER_API_TOKEN: TOKEN });
    try {
      await waitFor(
        `two ready previews of ${slug} on Bunny`,
        async () => {
          const run = await runConsumerCli(['catalog', 'show', slug, '--json'], ops);
          if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
          return jsonOf<CatalogEntry>(run).renders.filter((render) => render.status === 'ready').length === 2;
        },
        180_000,
        1000,
      );
      const client = new BunnyClient({
        libraryId: world.pipeline.bunny.libraryId,
        apiKey: world.pipeline.bunny.apiKey,
        apiUrl: world.pipeline.bunny.url,
      });
      const collection = await client.findCollection(slug);
      expect(collection).not.toBeNull();
      const orphan = await client.createVideo({
        title: `${slug} · ro · by hand`,
        collectionId: collection!.guid,
      });

      const report = await runConsumerCli(['reconcile', '--min-age', '0', '--json'], ops);
      expect(report.code, report.stderr).toBe(0);
      const result = jsonOf<{
        fixed: boolean;
        videos: number;
        orphans: { videoId: string }[];
        missing: unknown[];
      }>(report);
      expect(result).toMatchObject({ fixed: false, videos: 3, missing: [] });
      expect(result.orphans.map((video) => video.videoId)).toEqual([orphan.guid]);

      // Deleting and marking writes the catalog, which the running consumer holds.
      const fix = await runConsumerCli(['reconcile', '--fix', '--min-age', '0'], ops);
      expect(fix.code).toBe(1);
      expect(fix.stderr).toContain('DATABASE_URL');
      expect(world.pipeline.bunny.videos().map((video) => video.guid)).toContain(orphan.guid);
    } finally {
      expect(await consumer.stop()).toBe(0);
    }
  }, 400_000);

  it('reads PostgreSQL directly while a consumer runs on it', async () => {
    const slug = 'balans-picior';
    await world.sync(slug);
    const dataDir = path.join(world.root, 'postgres-consumer');
    const service = await world.startService({ databaseUrl: world.databaseUrl, dataDir });
    try {
      await waitForPreviews(service.db, slug, 1, ['ro', 'en'], 120_000);
      const run = await runConsumerCli(
        ['catalog', 'show', slug, '--json'],
        world.consumerEnv(path.join(world.root, 'ops-postgres'), { DATABASE_URL: world.databaseUrl }),
      );
      expect(run.code).toBe(0);
      expect(jsonOf<CatalogEntry>(run).renders.filter((render) => render.status === 'ready')).toHaveLength(2);
    } finally {
      await service.stop();
    }
  }, 300_000);
});
