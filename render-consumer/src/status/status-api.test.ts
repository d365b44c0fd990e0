import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '@exercise-pipeline/shared';
import { startConsumerServer, stopServersAfterEach } from '@exercise-pipeline/test/consumer';
import {
  type AwsClients,
  createAwsClients,
  createTempDir,
  freePort,
  type TempDir,
  trackResource,
  uniqueName,
  useMotoServer,
} from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogDb, openCatalogDb } from '../catalog/database.js';
import { recordDelivery } from '../catalog/deliveries.js';
import { bumpAssetVersion, lockExercise } from '../catalog/exercises.js';
import { recordMessageFailure } from '../catalog/failures.js';
import { migrateCatalog } from '../catalog/migrate.js';
import { ensureRenderRow, markRenderFailed, markRenderReady, supersedeRenders } from '../catalog/renders.js';
import type { StatusRoutesOptions } from './status-api.js';
import { createStatusRoutes } from './status-api.js';
import type { StatusDocument } from './status-view.js';

const moto = useMotoServer('status-api');
stopServersAfterEach();

const SLUG = 'plank-hold';
const FINGERPRINT = `${'ab12'.repeat(16)}`;
const MEDIA_ID = '0b6c7e5e-4f7d-4d59-9c39-6d1f0e2a4b11';
const TRANSIENT_REASON = 'S3 GetObject timed out after 30000 ms';

let temp: TempDir;
let db: CatalogDb;
let clients: AwsClients & { close(): Promise<void> };
let queueUrl: string;
let dlqUrl: string;
let poisonId: string;

beforeAll(async () => {
  temp = await createTempDir('status-api');
  db = await openCatalogDb({ dataDir: temp.path });
  await migrateCatalog(db);
  clients = createAwsClients(moto.endpoint);
  queueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: uniqueName('renders') }))).QueueUrl!;
  dlqUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: uniqueName('renders-dlq') })))
    .QueueUrl!;

  const exercise = await db.transaction(async (tx) => {
    const row = await lockExercise(tx, SLUG);
    return bumpAssetVersion(tx, row.id, FINGERPRINT);
  });
  const v1 = { exerciseId: exercise.id, recipeHash: 'c'.repeat(64), language: 'ro', assetVersion: 1 };
  const first = await ensureRenderRow(db, v1, { exercise: SLUG });
  await markRenderReady(db, first.id, {
    bunnyVideoId: MEDIA_ID,
    playbackUrl: `/media/${MEDIA_ID}/playlist.m3u8`,
    durationSeconds: 14.2,
  });
  await db.transaction(async (tx) => {
    await bumpAssetVersion(tx, exercise.id, FINGERPRINT.replace('ab', 'cd'));
    await supersedeRenders(tx, exercise.id, 2, 3600);
  });
  const second = await ensureRenderRow(db, { ...v1, assetVersion: 2 }, { exercise: SLUG });
  await markRenderFailed(db, second.id, 'ffmpeg exited with code 1: intro-video-1.mp4 is truncated');
  await db.query(`UPDATE exercises SET fingerprint_updated_at = now() - interval '2 hours'`);

  await recordDelivery(db, {
    outcome: 'refused',
    delivery: '001 Detensionari Lombare',
    host: 'nas-1',
    reasons: [
      { file: '001 Detensionari Lombare - Intro.mp4', problem: 'not a video', fix: 'export it again as mp4' },
      { problem: 'no right-side videos', fix: 'add "… 5 Dreapta.mp4"' },
    ],
  });
  await recordDelivery(db, { outcome: 'synced', exercise: SLUG, changed_keys: [`${SLUG}/manifest.json`] });

  await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'waiting' }));
  await clients.sqs.send(
    new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later', DelaySeconds: 60 }),
  );
  const poison = await clients.sqs.send(
    new SendMessageCommand({
      QueueUrl: dlqUrl,
      MessageBody: JSON.stringify({ source: 'exercise-pipeline.ingest', detail: { exercise: SLUG } }),
    }),
  );
  poisonId = poison.MessageId!;
  await recordMessageFailure(db, { messageId: poisonId, exercise: SLUG, reason: TRANSIENT_REASON });
});

afterAll(async () => {
  await clients?.close();
  await db?.close();
  await temp?.remove();
});

async function startWith(overrides: Partial<StatusRoutesOptions> = {}) {
  return startConsumerServer({
    db,
    dataDir: temp.path,
    ensureRender: {
      ensure: () => Promise.reject(new Error('the status tests compose nothing')),
    },
    extraRoutes: createStatusRoutes({ db, sqs: clients.sqs, queueUrl, dlqUrl, ...overrides }),
  });
}

async function getStatus(url: string): Promise<StatusDocument> {
  const answer = await fetch(`${url}/api/status`);
  expect(answer.status).toBe(200);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  return (await answer.json()) as StatusDocument;
}

describe('GET /api/status', () => {
  it('reports the catalog, both queue depths and the DLQ messages with their reasons', async () => {
    const { url } = await startWith();
    const status = await getStatus(url);

    expect(Date.parse(status.generatedAt)).not.toBeNaN();
    expect(status.queue).toEqual({ url: queueUrl, depth: 2, visible: 1, inFlight: 0, delayed: 1 });
    expect(status.dlq).toMatchObject({ url: dlqUrl, depth: 1 });
    expect(status.dlq.messages).toHaveLength(1);
    expect(status.dlq.messages[0]).toMatchObject({
      messageId: poisonId,
      exercise: SLUG,
      reason: TRANSIENT_REASON,
      body: { detail: { exercise: SLUG } },
    });

    expect(status.deliveries.map((d) => d.outcome)).toEqual(['synced', 'refused']);
    expect(status.deliveries[1]!.reasons).toEqual([
      { file: '001 Detensionari Lombare - Intro.mp4', problem: 'not a video', fix: 'export it again as mp4' },
      { file: null, problem: 'no right-side videos', fix: 'add "… 5 Dreapta.mp4"' },
    ]);

    expect(status.exercises).toHaveLength(1);
    const [exercise] = status.exercises;
    expect(exercise).toMatchObject({ slug: SLUG, kind: 'reps_based', status: 'active', asset_version: 2 });
    expect(exercise!.fingerprint).toBe('cd12ab12ab12');
    expect(exercise!.fingerprint_age_seconds).toBeGreaterThanOrEqual(7200);
    expect(exercise!.fingerprint_age_seconds).toBeLessThan(7300);

    expect(status.renders.map((r) => [r.status, r.asset_version])).toEqual([
      ['failed', 2],
      ['superseded', 1],
    ]);
    expect(status.renders[0]!.error).toContain('intro-video-1.mp4 is truncated');
    expect(status.renders[1]).toMatchObject({
      exercise: SLUG,
      language: 'ro',
      duration_seconds: 14.2,
      playback_url: `/media/${MEDIA_ID}/playlist.m3u8`,
      recipe_hash: 'c'.repeat(64),
    });
    const graceLeft = Date.parse(status.renders[1]!.delete_after!) - Date.now();
    expect(graceLeft).toBeGreaterThan(3500_000);
    expect(graceLeft).toBeLessThanOrEqual(3600_000);

    // Looking does not consume: the poisoned message is still in the DLQ, visible again.
    const after = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(after.Attributes?.ApproximateNumberOfMessages).toBe('1');
  });

  it('reuses one reading of the DLQ messages for pages polling within the cache window', async () => {
    const { url } = await startWith({ dlqCacheMs: 60_000 });
    const first = await getStatus(url);
    const second = await getStatus(url);
    expect(first.dlq.messagesReadAt).not.toBeNull();
    expect(second.dlq.messagesReadAt).toBe(first.dlq.messagesReadAt);
    expect(second.dlq.messages[0]!.receiveCount).toBe(first.dlq.messages[0]!.receiveCount);

    // Without the cache every page load reads the DLQ again (the receive count no longer shows it:
    // looking at the DLQ is not counted as a delivery).
    const uncached = await startWith({ dlqCacheMs: 0 });
    const fresh = await getStatus(uncached.url);
    const again = await getStatus(uncached.url);
    expect(Date.parse(again.dlq.messagesReadAt!)).toBeGreaterThan(Date.parse(fresh.dlq.messagesReadAt!));
    expect(again.dlq.messages[0]!.receiveCount).toBe(first.dlq.messages[0]!.receiveCount);
  });

  it('answers the catalog with depth null and the reason when SQS is unreachable', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const sqs = createSqsClient({ endpoint, region: 'eu-central-1' });
    const tracked = trackResource('aws-clients', endpoint, () => sqs.destroy());
    try {
      const { url } = await startWith({ sqs, sqsTimeoutMs: 3000 });
      const status = await getStatus(url);

      expect(status.queue.depth).toBeNull();
      expect(status.queue.error).toContain(`GetQueueAttributes on ${queueUrl} failed`);
      expect(status.dlq).toMatchObject({ depth: null, messages: [], messagesReadAt: null });
      expect(status.dlq.messagesError).toContain(dlqUrl);
      expect(status.exercises.map((e) => e.slug)).toEqual([SLUG]);
      expect(status.renders).toHaveLength(2);
      expect(status.deliveries).toHaveLength(2);
    } finally {
      await tracked.close();
    }
  });
});

describe('status page files', () => {
  it('serves the page, its script and styles, and hls.js from the installed package', async () => {
    const { url } = await startWith();
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    for (const asset of ['/vendor/hls.min.js', '/assets/status.js', '/assets/status.css']) {
      expect(html).toContain(asset);
    }

    for (const name of ['status.js', 'status-tables.js', 'status-dom.js']) {
      const script = await fetch(`${url}/assets/${name}`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toContain('text/javascript');
      // Data only ever reaches the page as text.
      expect(await script.text()).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
    expect((await fetch(`${url}/assets/status.css`)).headers.get('content-type')).toContain('text/css');

    const hls = await fetch(`${url}/vendor/hls.min.js`);
    expect(hls.status).toBe(200);
    expect(hls.headers.get('content-type')).toContain('text/javascript');
    expect(await hls.text()).toContain('isSupported');
  });
});
