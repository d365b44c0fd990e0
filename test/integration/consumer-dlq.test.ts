/**
 * Failures of the consumer end to end (moto + PGlite + the Bunny double, in this process): what
 * retrying cannot fix goes straight to the DLQ with its reason; a transient failure is recorded,
 * retried with backoff, and reaches the DLQ through the redrive policy after maxReceiveCount.
 */
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type Message, SendMessageCommand } from '@aws-sdk/client-sqs';
import { findMessageFailures } from '@exercise-pipeline/render-consumer/catalog';
import { BunnyClient, BunnyPublisher } from '@exercise-pipeline/render-consumer/publish';
import type { RenderService } from '@exercise-pipeline/render-consumer/service';
import { parsePipelineMessage } from '@exercise-pipeline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainQueue } from '../harness/index.js';
import { renderEvents, rendersOf, usePipeline, waitFor } from './consumer-helpers.js';

const world = usePipeline('consumer-dlq', { database: false });
const SLUG = 'genuflexiuni';
const MAX_RECEIVE_COUNT = 5;

let service: RenderService;
let syncedBody: string;

beforeAll(async () => {
  // The bundle is in the bucket before any consumer runs; of its queue messages only the agent's
  // "Bundle Synced" is kept, so exactly one message carries the failure through its retries.
  await world.sync(SLUG);
  const messages = await waitFor('the sync messages', async () => {
    const drained = await drainQueue(world.pipeline.clients.sqs, world.pipeline.topology.queueUrl);
    return drained.some(isBundleSynced) ? drained : undefined;
  });
  syncedBody = messages.find(isBundleSynced)!.Body!;
  // The client's own retries are kept short here; the queue's retries are what this test is about.
  const client = new BunnyClient({
    libraryId: world.pipeline.bunny.libraryId,
    apiKey: world.pipeline.bunny.apiKey,
    apiUrl: world.pipeline.bunny.url,
    retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 50 },
  });
  service = await world.startService(
    { dataDir: path.join(world.root, 'consumer-data') },
    { publisher: new BunnyPublisher({ client, cdnHostname: 'vz-test.b-cdn.net' }) },
  );
});

afterAll(async () => {
  await service?.stop();
});

function isBundleSynced(message: Message): boolean {
  const parsed = parsePipelineMessage(message.Body);
  return parsed.ok && parsed.message.type === 'bundle-synced';
}

async function dlqMessages(count: number): Promise<Message[]> {
  const seen: Message[] = [];
  return waitFor(
    `${count} message(s) on the DLQ`,
    async () => {
      seen.push(...(await drainQueue(world.pipeline.clients.sqs, world.pipeline.topology.dlqUrl, 1)));
      return seen.length >= count ? seen : undefined;
    },
    60_000,
    250,
  );
}

describe('render consumer failures', () => {
  it('records a transient failure, retries it, and leaves it to the redrive policy', async () => {
    world.pipeline.bunny.failFor(10 * 60_000, 500);
    const started = Date.now();
    const sent = await world.pipeline.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: world.pipeline.topology.queueUrl, MessageBody: syncedBody }),
    );

    // The bump hands the second language to a copy of the message (any consumer may take it), so
    // each language's render fails, is retried and reaches the DLQ on its own message.
    const dead = await dlqMessages(2);
    const elapsed = Date.now() - started;
    world.pipeline.bunny.failFor(0);

    const original = dead.find((message) => message.MessageId === sent.MessageId);
    const copy = dead.find((message) => message.MessageId !== sent.MessageId);
    expect(original?.Body).toBe(syncedBody);
    expect(copy?.Body).toBe(syncedBody);
    expect(copy?.MessageAttributes?.language_offset?.StringValue).toBe('1');
    expect(Number(original?.Attributes?.ApproximateReceiveCount)).toBeGreaterThanOrEqual(1);
    expect(elapsed).toBeLessThan(60_000);
    const [failure] = await findMessageFailures(service.db, [sent.MessageId!]);
    expect(failure).toMatchObject({ exercise: SLUG, permanent: false, failures: MAX_RECEIVE_COUNT });
    expect(failure?.reason).toMatch(/500/);
    const renders = await rendersOf(service.db, SLUG);
    expect(renders.map((render) => render.status)).toEqual(['failed', 'failed']);
    expect(new Set(renders.map((render) => render.language))).toEqual(new Set(['ro', 'en']));
    for (const render of renders) expect(render.error).toMatch(/500/);
    const events = await renderEvents(world.pipeline);
    expect(events.length).toBeGreaterThanOrEqual(2 * MAX_RECEIVE_COUNT);
    expect(events.every((event) => event.type === 'render-failed')).toBe(true);
    expect(await world.queueDepth()).toBe(0);
  });

  it('moves a message that does not parse, or names a key outside the layout, straight to the DLQ', async () => {
    const before = Date.now();
    await world.pipeline.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: world.pipeline.topology.queueUrl, MessageBody: 'not json at all' }),
    );
    // Both match the rule's key patterns, neither is a bundle file: the consumer decides that.
    const outside = [`${SLUG}/extra/intro-video-1.mp4`, `${SLUG}/rep-up-video-1.mp4`];
    for (const key of outside) {
      await world.pipeline.clients.s3.send(
        new PutObjectCommand({ Bucket: world.pipeline.topology.bucket, Key: key, Body: 'x' }),
      );
    }

    const dead = await dlqMessages(3);
    expect(dead).toHaveLength(3);
    for (const message of dead) {
      const attributes = message.MessageAttributes ?? {};
      expect(attributes.source_queue?.StringValue).toBe(world.pipeline.topology.queueUrl);
      const failedAt = Date.parse(attributes.failed_at?.StringValue ?? '');
      expect(failedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(failedAt).toBeLessThanOrEqual(Date.now());
      expect(attributes.failure_reason?.StringValue).toBeTruthy();
    }
    const reasons = dead.map((message) => message.MessageAttributes?.failure_reason?.StringValue ?? '');
    expect(reasons.filter((reason) => /outside the bundle layout/.test(reason))).toHaveLength(2);
    for (const key of outside) expect(reasons.some((reason) => reason.includes(key))).toBe(true);
    const junk = dead.find((message) => message.Body === 'not json at all');
    expect(junk?.MessageAttributes?.failure_reason?.StringValue).not.toMatch(/outside the bundle layout/);
    const failures = await findMessageFailures(
      service.db,
      dead.map((message) => message.MessageId!),
    );
    expect(failures).toHaveLength(3);
    expect(failures.every((failure) => failure.permanent)).toBe(true);
    expect(await world.queueDepth()).toBe(0);
  });
});
