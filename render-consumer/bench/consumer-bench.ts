/**
 * Consumer benchmark against its two targets, measured in one run and printed side by side:
 *
 *  1. latency: with SETTLE_SECONDS=2, the time from the agent's "Bundle Synced" to a ready catalog
 *     preview of the seed-shaped bundle is at most render time + 2 s, where render time is the same
 *     recipe rendered by `composeRecipe` directly (best of three, warm probe cache);
 *  2. scale-out: 3 consumer processes drain 60 change events across 10 exercises in at most 0.5× the
 *     time one process takes.
 *
 *   npx tsx render-consumer/bench/consumer-bench.ts [--exercises 10] [--events-per-exercise 6]
 *                                                   [--processes 3] [--languages ro,en]
 *
 * Everything real except Bunny: moto_server (S3, EventBridge, SQS), a throwaway PostgreSQL database
 * per run (DATABASE_URL), `consumer run` child processes, ffmpeg, and the Bunny Stream double of
 * test/doubles. The seed-shaped bundle is the fixture generator's default one (320x180 at 25 fps,
 * 1 s reps, 3 s framing clips, one variant per slot). The change events are object events of bundles
 * already in the bucket but new to the catalog, so every exercise is one asset change to render.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
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
import { readBundle } from '../src/compose/bundle-source.js';
import { composeRecipe } from '../src/compose/compose.js';
import { LocalBundleSource } from '../src/compose/local-bundle-source.js';
import { freePortNumber, startMoto } from './bench-moto.js';

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
  const seedDir = await bundleDir('detensionari-lombare');
  const renderSeconds = await directRenderSeconds(seedDir);
  const latency = await measureLatency(seedDir);

  // --- 2. scale-out ----------------------------------------------------------------------------
  const slugs = Array.from({ length: exercises }, (_, i) => `exercitiu-${String(i + 1).padStart(2, '0')}`);
  const dirs = await Promise.all(slugs.map(bundleDir));
  const one = await measureDrain(1, slugs, dirs);
  const many = await measureDrain(processes, slugs, dirs);

  const latencyTarget = renderSeconds + SETTLE_SECONDS;
  const ratio = many.seconds / one.seconds;
  const rows = [
    ['measure', 'measured', 'target', 'met'],
    ['render time (composeRecipe, one preview)', `${renderSeconds.toFixed(2)} s`, '', ''],
    [
      '"Bundle Synced" → first ready preview',
      `${latency.firstSeconds.toFixed(2)} s`,
      `≤ ${latencyTarget.toFixed(2)} s`,
      latency.firstSeconds <= latencyTarget ? 'yes' : 'NO',
    ],
    [
      `"Bundle Synced" → all ${languages.length} previews, catalog updated`,
      `${latency.allSeconds.toFixed(2)} s`,
      `(${languages.length} renders: ≤ ${(languages.length * renderSeconds + SETTLE_SECONDS).toFixed(2)} s)`,
      latency.allSeconds <= languages.length * renderSeconds + SETTLE_SECONDS ? 'yes' : 'NO',
    ],
    [`1 process drains ${one.events} events / ${exercises} exercises`, `${one.seconds.toFixed(2)} s`, '', ''],
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
  console.log(
    `\n(${languages.length} languages, ${one.renders} renders per drain run, ${availableParallelism()} CPU cores, settle ${SETTLE_SECONDS} s)`,
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

/** The catalog preview of the first language rendered straight from disk: best of three. */
async function directRenderSeconds(dir: string): Promise<number> {
  const source = new LocalBundleSource(dir);
  const { manifest } = await readBundle(source);
  const recipe = catalogPreviewRecipe(manifest, languages[0]!);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i += 1) {
    const started = performance.now();
    await composeRecipe({
      source,
      recipeInput: recipe,
      assetVersion: 1,
      outPath: path.join(root, `direct-${i}.mp4`),
    });
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return best;
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

async function measureLatency(dir: string): Promise<{ firstSeconds: number; allSeconds: number }> {
  const target = await stage('latency');
  const db = new pg.Client({ connectionString: target.databaseUrl });
  try {
    await startConsumers(1, target, 'latency');
    await db.connect();
    const synced = await syncBundle({
      s3,
      events,
      bucket: target.bucket,
      slug: 'detensionari-lombare',
      localDir: dir,
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
      if (ready >= languages.length && rows[0]?.catalog)
        return { firstSeconds: firstSeconds ?? elapsed, allSeconds: elapsed };
      if (elapsed > 300) throw new Error('no ready preview within 300 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await db.end().catch(() => {});
    await stopConsumers();
    await target.drop();
  }
}

async function measureDrain(
  consumers: number,
  slugs: string[],
  dirs: string[],
): Promise<{ seconds: number; events: number; renders: number }> {
  const target = await stage(`drain${consumers}`);
  const db = new pg.Client({ connectionString: target.databaseUrl });
  try {
    // The bundles are in the bucket before the clock starts; their upload events are dropped.
    const files = await Promise.all(dirs.map((dir) => listBundleFiles(dir)));
    for (const [i, slug] of slugs.entries()) {
      for (const file of files[i]!) {
        await s3.send(
          new PutObjectCommand({
            Bucket: target.bucket,
            Key: `${slug}/${file.relativeKey}`,
            Body: await readFile(file.path),
          }),
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: target.queueUrl }));
    await startConsumers(consumers, target, `drain${consumers}`);
    await db.connect();

    const started = performance.now();
    let sent = 0;
    for (const [i, slug] of slugs.entries()) {
      const media = files[i]!.filter((file) => file.relativeKey !== 'manifest.json').slice(
        0,
        eventsPerExercise,
      );
      for (const file of media) {
        await s3.send(
          new PutObjectCommand({
            Bucket: target.bucket,
            Key: `${slug}/${file.relativeKey}`,
            Body: await readFile(file.path),
          }),
        );
        sent += 1;
      }
    }
    const wanted = slugs.length * languages.length;
    for (;;) {
      const { rows } = await db
        .query<{ ready: string }>(`SELECT count(*) AS ready FROM exercise_renders WHERE status = 'ready'`)
        .catch(() => ({ rows: [{ ready: '0' }] }));
      const depth = await queueDepth(target.queueUrl);
      if (Number(rows[0]?.ready) >= wanted && depth === 0) {
        return { seconds: (performance.now() - started) / 1000, events: sent, renders: wanted };
      }
      if ((performance.now() - started) / 1000 > 900)
        throw new Error('the drain did not finish within 900 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await db.end().catch(() => {});
    await stopConsumers();
    await target.drop();
  }
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
