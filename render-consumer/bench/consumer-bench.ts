/**
 * Consumer benchmark against its two targets, measured in one run and printed side by side:
 *
 *  1. latency: with SETTLE_SECONDS=2, the time from the agent's "Bundle Synced" to a ready catalog
 *     preview of the seed-shaped bundle is at most render time + 2 s. The bundle is the compose
 *     benchmark's (seed-bundle.ts: 1080p H.264 primitives) with the seed's recipe, 2 sets × 10 reps,
 *     as its catalog preview. Render time is that recipe rendered by `composeRecipe` from the same
 *     bucket through the download cache: cold (empty cache and probe cache, as the freshly started
 *     consumer has them; this is the target's base) and warm (best of two, for reference);
 *  2. scale-out: 3 consumer processes drain 60 change events across 10 exercises in at most 0.5× the
 *     time one process takes.
 *
 *   npx tsx render-consumer/bench/consumer-bench.ts [--exercises 10] [--events-per-exercise 6]
 *                                                   [--processes 3] [--languages ro,en]
 *
 * Everything real except Bunny: moto_server (S3, EventBridge, SQS), a throwaway PostgreSQL database
 * per run (DATABASE_URL), `consumer run` child processes, ffmpeg, and the Bunny Stream double of
 * test/doubles. The drain's bundles are the fixture generator's default small ones (320x180 at
 * 25 fps, 1 s reps, 3 s framing clips, one variant per slot): ten 1080p bundles would put 1.3 GB
 * through moto per run and time moto rather than the consumers. The change events are object events
 * of bundles already in the bucket but new to the catalog, so every exercise is one asset change.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import {
  catalogPreviewRecipe,
  createEventBridgeClient,
  createS3Client,
  createSqsClient,
} from '@exercise-pipeline/shared';
import pg from 'pg';
import { ensureLocalTopology } from '../../infra/src/index.js';
import { listBundleFiles, syncBundle } from '../../ingest-agent/src/sync/index.js';
import { BunnyStreamDouble } from '../../test/doubles/bunny-stream-double.js';
import { generateBundle } from '../../test/fixtures/index.js';
import { DownloadCache } from '../src/bundle/download-cache.js';
import { S3BundleSource } from '../src/bundle/s3-bundle-source.js';
import { readBundle } from '../src/compose/bundle-source.js';
import { composeRecipe } from '../src/compose/compose.js';
import { LocalBundleSource } from '../src/compose/local-bundle-source.js';
import { ProbeCache } from '../src/compose/probe-cache.js';
import { freePortNumber, startMoto } from './bench-moto.js';
import { type CpuUsage, cpuBetween, cpuSnapshot, exitedChildrenSeconds } from './cpu-usage.js';
import { MOVING_SOURCE_NOTE } from './moving-media.js';
import { SEED_RECIPE_SEED, SEED_SETS, seedShapedBundle } from './seed-bundle.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SETTLE_SECONDS = 2;

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}
function count(name: string, fallback: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} expects a positive whole number`);
  return value;
}

const exercises = count('--exercises', 10);
const eventsPerExercise = count('--events-per-exercise', 6);
const processes = count('--processes', 3);
const languages = option('--languages', 'ro,en').split(',');

// The bench talks only to its own moto_server: dummy credentials, never a developer's real ones.
Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_REGION: 'eu-central-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});
delete process.env.AWS_PROFILE;

const root = await mkdtemp(path.join(tmpdir(), 'consumer-bench-'));
const moto = await startMoto();
const aws = { endpoint: moto.endpoint, region: 'eu-central-1' };
const s3 = createS3Client(aws);
const sqs = createSqsClient(aws);
const events = createEventBridgeClient(aws);
const bunny = await new BunnyStreamDouble({ storage: 'none' }).start();
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
const children = new Set<ChildProcess>();
let run = 0;

try {
  const cacheDir = path.join(root, 'media-cache');
  const bundleDir = async (slug: string) => {
    const dir = path.join(root, 'bundles', slug);
    await generateBundle(dir, { exercise: slug, languages, cacheDir, overwrite: true });
    return dir;
  };

  // --- 1. latency ------------------------------------------------------------------------------
  const seed = await seedBundle();
  const latency = await measureLatency(seed);
  const renderSeconds = latency.render.coldSeconds;

  // --- 2. scale-out ----------------------------------------------------------------------------
  const slugs = Array.from({ length: exercises }, (_, i) => `exercitiu-${String(i + 1).padStart(2, '0')}`);
  const dirs = await Promise.all(slugs.map(bundleDir));
  const one = await measureDrain(1, slugs, dirs);
  const many = await measureDrain(processes, slugs, dirs);

  const cores = availableParallelism();
  const latencyTarget = renderSeconds + SETTLE_SECONDS;
  const ratio = many.seconds / one.seconds;
  const rows = [
    ['measure', 'measured', 'target', 'met'],
    ['render time, S3 through a cold download cache', `${renderSeconds.toFixed(2)} s`, '', ''],
    ['render time, warm cache (best of 2, reference)', `${latency.render.warmSeconds.toFixed(2)} s`, '', ''],
    [
      `"Bundle Synced" → ready preview${seed.languages.length > 1 ? ' (first)' : ''}`,
      `${latency.firstSeconds.toFixed(2)} s`,
      `≤ ${latencyTarget.toFixed(2)} s`,
      latency.firstSeconds <= latencyTarget ? 'yes' : 'NO',
    ],
    [
      `"Bundle Synced" → ${seed.languages.length} preview(s), catalog updated`,
      `${latency.allSeconds.toFixed(2)} s`,
      `≤ ${(seed.languages.length * renderSeconds + SETTLE_SECONDS).toFixed(2)} s`,
      latency.allSeconds <= seed.languages.length * renderSeconds + SETTLE_SECONDS ? 'yes' : 'NO',
    ],
    [
      `1 process drains ${one.events} events / ${exercises} exercises (settled backlog)`,
      `${one.seconds.toFixed(2)} s`,
      '',
      '',
    ],
    [
      `${processes} processes drain the same`,
      `${many.seconds.toFixed(2)} s`,
      `≤ ${(one.seconds * 0.5).toFixed(2)} s`,
      ratio <= 0.5 ? 'yes' : 'NO',
    ],
    [`ratio ${processes} : 1`, `${ratio.toFixed(2)}×`, '≤ 0.50×', ratio <= 0.5 ? 'yes' : 'NO'],
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
  const cpuLine = (label: string, drain: Drain) =>
    [
      `  ${label}: `,
      drain.consumerCpuSeconds === undefined
        ? ''
        : `consumers ${drain.consumerCpuSeconds.toFixed(1)} CPU s (start-up to exit, ffmpeg/ffprobe included)`,
      drain.cpu?.processSeconds === undefined
        ? ''
        : `, moto_server ${drain.cpu.processSeconds.toFixed(1)} CPU s`,
      drain.cpu
        ? `; whole host ${drain.cpu.busyCores.toFixed(2)} of ${cores} cores busy (other work included)`
        : '',
    ].join('');
  const work = (one.consumerCpuSeconds ?? Number.NaN) + (one.cpu?.processSeconds ?? 0);
  console.log(
    [
      '',
      `Latency bundle: ${seed.outputSeconds.toFixed(1)} s of output per preview, ${seed.languages.join(',')}; ${MOVING_SOURCE_NOTE}.`,
      `Drain bundles: the small fixture bundles (320x180), not 1080p (see the header comment).`,
      `(${languages.length} languages, ${one.renders} renders per drain run, ${availableParallelism()} CPU cores, settle ${SETTLE_SECONDS} s)`,
      'Drains start from a settled backlog: the change events were produced by real puts, held until the',
      'settle time had passed, and put back on the queue once every consumer was up; the clock runs from',
      'then until the queue is empty and every preview is ready and in the catalog.',
      `Consumer start-up (not timed in the drain): 1 process ${one.startSeconds.toFixed(2)} s, ${processes} processes ${many.startSeconds.toFixed(2)} s.`,
      'CPU during the drains:',
      cpuLine('1 process', one),
      cpuLine(`${processes} processes`, many),
      Number.isFinite(work)
        ? `Bound on this host: the 1-process drain's work is ${work.toFixed(1)} CPU s (consumer + moto); on ${cores} cores no number of processes can drain it in less than ${(work / cores).toFixed(2)} s = ${(work / cores / one.seconds).toFixed(2)}× the 1-process time (target 0.50×).`
        : '',
    ].join('\n'),
  );
} finally {
  for (const child of children) killGroup(child);
  await bunny.stop();
  await admin.end();
  s3.destroy();
  sqs.destroy();
  events.destroy();
  await moto.stop();
  await rm(root, { recursive: true, force: true });
}

interface SeedBundle {
  dir: string;
  slug: string;
  languages: string[];
  /** The catalog preview recipe of the first language. */
  recipe: unknown;
  outputSeconds: number;
}

/**
 * The compose benchmark's cached 1080p bundle, copied here with the seed's recipe as the manifest's
 * catalog preview, so the consumer renders exactly the seed's shape.
 */
async function seedBundle(): Promise<SeedBundle> {
  const dir = path.join(root, 'bundles', 'seed-shaped');
  await cp(await seedShapedBundle(), dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const raw = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
  raw.catalog_preview = { sets: SEED_SETS, seed: SEED_RECIPE_SEED };
  await writeFile(manifestPath, `${JSON.stringify(raw, null, 2)}\n`);
  const { manifest } = await readBundle(new LocalBundleSource(dir));
  const recipe = catalogPreviewRecipe(manifest, manifest.languages[0]!);
  const outputSeconds = (
    await composeRecipe({
      source: new LocalBundleSource(dir),
      recipeInput: recipe,
      assetVersion: 1,
      outPath: path.join(root, 'check.mp4'),
    })
  ).durationSeconds;
  return { dir, slug: manifest.exercise, languages: manifest.languages, recipe, outputSeconds };
}

/**
 * The seed's preview rendered by `composeRecipe` from the bucket through a download cache: first
 * with an empty cache and probe cache (what the freshly started consumer had), then twice warm.
 */
async function s3RenderSeconds(
  bucket: string,
  seed: SeedBundle,
): Promise<{ coldSeconds: number; warmSeconds: number }> {
  const cache = new DownloadCache({ dir: path.join(root, `direct-cache-${bucket}`) });
  const probeCache = new ProbeCache();
  const times: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const started = performance.now();
    await composeRecipe({
      source: new S3BundleSource({ s3, bucket, slug: seed.slug, cache }),
      recipeInput: seed.recipe,
      assetVersion: 1,
      outPath: path.join(root, `direct-${i}.mp4`),
      probeCache,
    });
    times.push((performance.now() - started) / 1000);
  }
  return { coldSeconds: times[0]!, warmSeconds: Math.min(...times.slice(1)) };
}

interface Stage {
  bucket: string;
  queueUrl: string;
  dlqUrl: string;
  databaseUrl: string;
  drop(): Promise<void>;
}

/** A fresh bucket, rule and queues, and a throwaway PostgreSQL database, for one measurement. */
async function stage(label: string): Promise<Stage> {
  run += 1;
  const suffix = `${label}-${process.pid}-${run}`;
  const topology = await ensureLocalTopology(
    { s3, sqs, events },
    { bucket: `bench-${suffix}`, queueName: `renders-${suffix}`, dlqName: `renders-dlq-${suffix}` },
  );
  const database = `bench_consumer_${suffix.replaceAll('-', '_')}`;
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return {
    bucket: topology.bucket,
    queueUrl: topology.queueUrl,
    dlqUrl: topology.dlqUrl,
    databaseUrl: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    },
  };
}

interface Latency {
  firstSeconds: number;
  allSeconds: number;
  render: { coldSeconds: number; warmSeconds: number };
}

/** One consumer, the seed bundle synced; then, with the consumer stopped, the direct renders. */
async function measureLatency(seed: SeedBundle): Promise<Latency> {
  const target = await stage('latency');
  const db = new pg.Client({ connectionString: target.databaseUrl });
  try {
    await startConsumers(1, target, 'latency');
    await db.connect();
    const synced = await syncBundle({
      s3,
      events,
      bucket: target.bucket,
      slug: seed.slug,
      localDir: seed.dir,
      eventBusName: 'default',
      dataDir: path.join(root, 'agent-latency'),
    });
    // The agent puts "Bundle Synced" as the last step of the sync.
    const announced = performance.now();
    if (!synced.eventPublished) throw new Error('the sync published no "Bundle Synced" event');
    let firstSeconds: number | undefined;
    for (;;) {
      const rows = await db
        .query<{ ready: string; catalog: boolean }>(
          `SELECT count(*) FILTER (WHERE r.status = 'ready') AS ready, bool_or(e.catalog_render_id IS NOT NULL) AS catalog
             FROM exercises e LEFT JOIN exercise_renders r ON r.exercise_id = e.id`,
        )
        .then((result) => result.rows)
        .catch(() => []);
      const ready = Number(rows[0]?.ready ?? 0);
      const elapsed = (performance.now() - announced) / 1000;
      if (ready >= 1 && firstSeconds === undefined) firstSeconds = elapsed;
      if (ready >= seed.languages.length && rows[0]?.catalog) {
        await stopConsumers();
        const render = await s3RenderSeconds(target.bucket, seed);
        return { firstSeconds: firstSeconds ?? elapsed, allSeconds: elapsed, render };
      }
      if (elapsed > 300) throw new Error('no ready preview within 300 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await db.end().catch(() => {});
    await stopConsumers();
    await target.drop();
  }
}

interface Drain {
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
 * A settled backlog, drained: the change events are produced by real puts while no consumer runs,
 * taken off the queue and held until the settle time has passed since the last put; then the
 * consumers start, and once every one of them is up the clock starts and the held events go back
 * on the queue at once. The clock stops when the queue is empty and every preview is ready and in
 * the catalog. So the time is the consumers' work alone: no settle wait (which is the same wall
 * clock for any number of processes) and no process start-up (reported separately).
 */
async function measureDrain(consumers: number, slugs: string[], dirs: string[]): Promise<Drain> {
  const target = await stage(`drain${consumers}`);
  const db = new pg.Client({ connectionString: target.databaseUrl });
  try {
    // The bundles are in the bucket first; their upload events are dropped.
    const files = await Promise.all(dirs.map((dir) => listBundleFiles(dir)));
    for (const [i, slug] of slugs.entries()) {
      for (const file of files[i]!) await putFile(target.bucket, slug, file);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: target.queueUrl }));

    let changes = 0;
    for (const [i, slug] of slugs.entries()) {
      const media = files[i]!.filter((file) => file.relativeKey !== 'manifest.json');
      for (const file of media.slice(0, eventsPerExercise)) {
        await putFile(target.bucket, slug, file);
        changes += 1;
      }
    }
    const lastPut = performance.now();
    const backlog = await takeMessages(target.queueUrl, changes);
    const settleLeft = SETTLE_SECONDS * 1000 - (performance.now() - lastPut);
    if (settleLeft > 0) await new Promise((resolve) => setTimeout(resolve, settleLeft + 100));

    const childrenBefore = await exitedChildrenSeconds();
    const spawned = performance.now();
    await startConsumers(consumers, target, `drain${consumers}`);
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
      if (done && (await queueDepth(target.queueUrl)) === 0) {
        const seconds = (performance.now() - started) / 1000;
        const cpu = cpuBetween(cpuStart, await cpuSnapshot(moto.pid));
        await stopConsumers();
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
    await stopConsumers();
    await target.drop();
  }
}

async function putFile(bucket: string, slug: string, file: { relativeKey: string; path: string }) {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `${slug}/${file.relativeKey}`,
      Body: await readFile(file.path),
    }),
  );
}

/** Takes `expected` messages off the queue (the events of the puts, as EventBridge delivered them). */
async function takeMessages(queueUrl: string, expected: number): Promise<string[]> {
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

async function queueDepth(queueUrl: string): Promise<number> {
  const output = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return Object.values(output.Attributes ?? {}).reduce((sum, value) => sum + Number(value), 0);
}

/** `consumer run` children, each with its own DATA_DIR and port, started together. */
async function startConsumers(n: number, target: Stage, label: string): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const child = spawn(
        `${repoRoot}node_modules/.bin/tsx`,
        [`${repoRoot}render-consumer/src/cli.ts`, 'run'],
        {
          cwd: repoRoot,
          detached: true,
          stdio: ['ignore', 'ignore', 'pipe'],
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            AWS_ACCESS_KEY_ID: 'bench',
            AWS_SECRET_ACCESS_KEY: 'bench',
            AWS_REGION: 'eu-central-1',
            AWS_ENDPOINT_URL: moto.endpoint,
            ASSETS_BUCKET: target.bucket,
            RENDER_QUEUE_URL: target.queueUrl,
            RENDER_DLQ_URL: target.dlqUrl,
            DATABASE_URL: target.databaseUrl,
            DATA_DIR: path.join(root, `data-${label}-${i}`),
            PUBLISH_TARGET: 'bunny',
            BUNNY_STREAM_API_URL: bunny.url,
            BUNNY_STREAM_LIBRARY_ID: bunny.libraryId,
            BUNNY_STREAM_API_KEY: bunny.apiKey,
            BUNNY_STREAM_CDN_HOSTNAME: 'vz-bench.b-cdn.net',
            COMPOSER_PORT: String(await freePortNumber()),
            SETTLE_SECONDS: String(SETTLE_SECONDS),
            LOG_LEVEL: 'warn',
            QUEUE_WAIT_SECONDS: '1',
            SHUTDOWN_DEADLINE_SECONDS: '5',
          },
        },
      );
      children.add(child);
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const deadline = Date.now() + 60_000;
      while (!stderr.includes('render consumer listening on')) {
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(`consumer did not start: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }),
  );
}

async function stopConsumers(): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(child), 20_000);
      await exited;
      clearTimeout(timer);
      children.delete(child);
    }),
  );
}

/** tsx runs the CLI in a child of its own: kill the whole group so nothing is left behind. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
