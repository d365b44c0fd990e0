/**
 * The consumer benchmark's scale-out measurement: how long N consumer processes take to drain a
 * quiet backlog of change events.
 */
import { readFile } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DeleteMessageCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import pg from 'pg';
import { listBundleFiles } from '@exercise-pipeline/ingest-agent/sync';
import { readQueueDepth } from '../src/status/queue-snapshot.js';
import { type BenchContext, QUIET_SECONDS, stage } from './consumer-bench-stage.js';
import { type CpuUsage, cpuBetween, cpuSnapshot, exitedChildrenSeconds } from './cpu-usage.js';

/** A queue that does not say its depth within this long fails the measurement. */
const QUEUE_DEPTH_TIMEOUT_MS = 10_000;

export interface DrainPlan {
  slugs: string[];
  /** The local bundle of each slug, in the same order. */
  dirs: string[];
  /** Change events (media puts) per exercise. */
  eventsPerExercise: number;
  /** Each exercise renders one preview per language. */
  languages: string[];
}

export interface Drain {
  seconds: number;
  events: number;
  renders: number;
  /** Seconds from spawning the consumers until every one was polling. */
  startSeconds: number;
  cpu: CpuUsage | undefined;
  /** CPU seconds of the consumer processes from spawn to exit, their ffmpeg/ffprobe included. */
  consumerCpuSeconds: number | undefined;
}

/**
 * A quiet backlog, drained: the change events are produced by real puts while no consumer runs,
 * taken off the queue and held until the quiet period has passed since the last put; then the
 * consumers start, and once every one of them is up the clock starts and the held events go back
 * on the queue at once. The clock stops when the queue is empty and every preview is ready and in
 * the catalog. So the time is the consumers' work alone: no quiet-period wait (which is the same wall
 * clock for any number of processes) and no process start-up (reported separately).
 */
export async function measureDrain(
  context: BenchContext,
  consumers: number,
  plan: DrainPlan,
): Promise<Drain> {
  const { s3, sqs, moto, consumers: fleet } = context;
  const { slugs, dirs, eventsPerExercise, languages } = plan;
  const target = await stage(context, `drain${consumers}`);
  const db = new pg.Client({ connectionString: target.databaseUrl });
  try {
    // The bundles are in the bucket first; their upload events are dropped.
    const files = await Promise.all(dirs.map((dir) => listBundleFiles(dir)));
    for (const [i, slug] of slugs.entries()) {
      for (const file of files[i]!) await putFile(s3, target.bucket, slug, file);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: target.queueUrl }));

    let changes = 0;
    for (const [i, slug] of slugs.entries()) {
      const media = files[i]!.filter((file) => file.relativeKey !== 'manifest.json');
      for (const file of media.slice(0, eventsPerExercise)) {
        await putFile(s3, target.bucket, slug, file);
        changes += 1;
      }
    }
    const lastPut = performance.now();
    const backlog = await takeMessages(sqs, target.queueUrl, changes);
    const quietLeft = QUIET_SECONDS * 1000 - (performance.now() - lastPut);
    if (quietLeft > 0) await new Promise((resolve) => setTimeout(resolve, quietLeft + 100));

    const childrenBefore = await exitedChildrenSeconds();
    const spawned = performance.now();
    await fleet.start(consumers, target, `drain${consumers}`);
    const startSeconds = (performance.now() - spawned) / 1000;
    await db.connect();

    const cpuStart = await cpuSnapshot(moto.pid);
    const started = performance.now();
    for (let i = 0; i < backlog.length; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: target.queueUrl,
          Entries: backlog.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
        }),
      );
    }
    const wanted = slugs.length * languages.length;
    for (;;) {
      const { rows } = await db
        .query<{ ready: string; catalogued: string }>(
          `SELECT (SELECT count(*) FROM exercise_renders WHERE status = 'ready') AS ready,
                  (SELECT count(*) FROM exercises WHERE catalog_render_id IS NOT NULL) AS catalogued`,
        )
        .catch(() => ({ rows: [{ ready: '0', catalogued: '0' }] }));
      const done = Number(rows[0]?.ready) >= wanted && Number(rows[0]?.catalogued) >= slugs.length;
      if (done && (await queueDepth(sqs, target.queueUrl)) === 0) {
        const seconds = (performance.now() - started) / 1000;
        const cpu = cpuBetween(cpuStart, await cpuSnapshot(moto.pid));
        await fleet.stop();
        const childrenAfter = await exitedChildrenSeconds();
        const consumerCpuSeconds =
          childrenBefore === undefined || childrenAfter === undefined
            ? undefined
            : childrenAfter - childrenBefore;
        return { seconds, events: backlog.length, renders: wanted, startSeconds, cpu, consumerCpuSeconds };
      }
      if ((performance.now() - started) / 1000 > 900)
        throw new Error('the drain did not finish within 900 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await db.end().catch(() => {});
    await fleet.stop();
    await target.drop();
  }
}

async function putFile(
  s3: BenchContext['s3'],
  bucket: string,
  slug: string,
  file: { relativeKey: string; path: string },
) {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `${slug}/${file.relativeKey}`,
      Body: await readFile(file.path),
    }),
  );
}

/** Takes `expected` messages off the queue (the events of the puts, as EventBridge delivered them). */
async function takeMessages(sqs: BenchContext['sqs'], queueUrl: string, expected: number): Promise<string[]> {
  const bodies: string[] = [];
  const deadline = performance.now() + 30_000;
  while (bodies.length < expected) {
    if (performance.now() > deadline)
      throw new Error(`only ${bodies.length} of ${expected} change events reached the queue within 30 s`);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 600,
      }),
    );
    for (const message of Messages) {
      bodies.push(message.Body ?? '');
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return bodies;
}

/** Messages visible, in flight or delayed, as the status page counts them; throws when SQS does not answer. */
async function queueDepth(sqs: BenchContext['sqs'], queueUrl: string): Promise<number> {
  const queue = await readQueueDepth(sqs, queueUrl, QUEUE_DEPTH_TIMEOUT_MS);
  if (queue.depth === null) throw new Error(queue.error ?? `${queueUrl} did not answer`);
  return queue.depth;
}
