/**
 * Scale-out benchmark of the render consumer: how much faster N `consumer run` processes drain a
 * backlog of exercises synced at once than one process does, when a render mostly waits on the
 * network, as in production (a ~100 MB render uploaded to Bunny at ~1 MB/s per connection).
 *
 *   pnpm build && npx tsx render-consumer/bench/scale-bench.ts [--exercises 10] [--consumers 1,2,4,8]
 *       [--languages ro,en] [--upload-kbps 64] [--latency-ms 40] [--settle-seconds 20]
 *       [--logs <dir>]
 *
 * Everything real except Bunny: moto_server (S3, EventBridge, SQS), a fresh PostgreSQL database per
 * N on 127.0.0.1:5432 (BENCH_POSTGRES_URL), the BUILT consumer (`render-consumer/bin/…`, one process
 * per consumer, CONSUMER_CONCURRENCY=1 each), real ffmpeg, and the Bunny Stream double of
 * test/doubles, which reads every upload connection at `--upload-kbps` KiB/s and answers every
 * request `--latency-ms` late. The bundles are the fixture generator's small ones (320x180): a
 * render costs the consumer ~2.5 CPU seconds (compose and probes, ffmpeg included) and its upload,
 * at the default bandwidth, ~6 s, so on an idle host the network is what a render waits on most.
 *
 * For each N: the consumers are started and polling; then every bundle is synced at once with the
 * agent's own sync (its object events and a "Bundle Synced" each, all on the render queue). The
 * drain runs from the end of the syncs (every bundle synced) until every exercise has a ready
 * catalog preview in every language of its current asset version and the catalog points at it;
 * the sync's own time is printed beside it. Printed per N: drain time,
 * ratio to N = 1, CPU seconds of the consumer processes (ffmpeg included) and of moto_server,
 * renders per consumer, messages deferred, time spent waiting on another consumer's lease, and the
 * ready renders per exercise, language and asset version, which must be exactly one each (checked
 * at the end of the drain and again once the consumers stopped; a violation is printed loudly and
 * the bench exits with status 1).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { syncBundle } from '@exercise-pipeline/ingest-agent/sync';
import { BunnyStreamDouble } from '@exercise-pipeline/test/doubles';
import { generateBundle } from '@exercise-pipeline/test/fixtures';
import pg from 'pg';
import { count, openBenchServices, option } from './bench-setup.js';
import { ConsumerFleet, stage } from './consumer-bench-stage.js';
import { cpuBetween, cpuSnapshot, processTreeSeconds } from './cpu-usage.js';
import { formatScaleReport, type ScaleRun, summariseLogs } from './scale-bench-report.js';

const exercises = count('--exercises', 10);
const consumerCounts = option('--consumers', '1,2,4,8')
  .split(',')
  .map((value) => Number(value));
if (consumerCounts.some((value) => !Number.isInteger(value) || value < 1) || !consumerCounts.includes(1)) {
  throw new Error('--consumers expects whole numbers >= 1 separated by commas, 1 among them, e.g. 1,2,4,8');
}
const languages = option('--languages', 'ro,en').split(',');
const uploadKiBps = count('--upload-kbps', 64);
const latencyMs = count('--latency-ms', 40, 0);
const quietSeconds = count('--settle-seconds', 20, 0);
/** Where each consumer's log lines (LOG_LEVEL=debug) are written, as `N{n}-{i}.log`; default nowhere. */
const logsDir = option('--logs', '');
/** Longest drain before the bench gives up on a run. */
const DRAIN_LIMIT_SECONDS = 900;

const services = await openBenchServices('scale-bench');
const { root, moto, sqs } = services;
let fleet: ConsumerFleet | undefined;
let violations = 0;

try {
  const slugs = Array.from({ length: exercises }, (_, i) => `exercitiu-${String(i + 1).padStart(2, '0')}`);
  const cacheDir = path.join(root, 'media-cache');
  const dirs: string[] = [];
  for (const slug of slugs) {
    const dir = path.join(root, 'bundles', slug);
    await generateBundle(dir, { exercise: slug, languages, cacheDir, overwrite: true });
    dirs.push(dir);
  }

  const runs: ScaleRun[] = [];
  for (const n of [...new Set(consumerCounts)].sort((a, b) => a - b)) {
    const run = await measure(n, slugs, dirs);
    violations += run.violations.length;
    runs.push(run);
    process.stderr.write(`N=${n}: ${run.drainSeconds.toFixed(2)} s\n`);
  }
  console.log(
    formatScaleReport(runs, {
      exercises,
      languages,
      uploadKiBps,
      latencyMs,
      quietSeconds,
      cores: availableParallelism(),
    }),
  );
} finally {
  fleet?.killAll();
  await services.close();
}
if (violations > 0) process.exitCode = 1;

async function measure(n: number, slugs: string[], dirs: string[]): Promise<ScaleRun> {
  const bunny = await new BunnyStreamDouble({
    storage: 'none',
    uploadBytesPerSecond: uploadKiBps * 1024,
    latencyMs,
  }).start();
  fleet = new ConsumerFleet(root, moto, bunny);
  const target = await stage({ ...services, bunny, consumers: fleet }, `scale${n}`);
  const db = new pg.Client({ connectionString: target.databaseUrl });
  try {
    await fleet.start(n, target, `scale${n}`, {
      CONSUMER_CONCURRENCY: '1',
      SETTLE_SECONDS: String(quietSeconds),
      // The double finishes a transcode in 60 ms: the first poll finds it done.
      TRANSCODE_POLL_SECONDS: '1',
      LOG_LEVEL: 'debug',
    });
    await db.connect();
    const syncStarted = performance.now();
    await Promise.all(
      slugs.map(async (slug, i) => {
        const dataDir = path.join(root, `agent-${n}`, slug);
        await mkdir(dataDir, { recursive: true });
        await syncBundle({
          s3: services.s3,
          events: services.events,
          bucket: target.bucket,
          slug,
          localDir: dirs[i]!,
          eventBusName: 'default',
          dataDir,
          retry: { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 },
        });
      }),
    );
    const started = performance.now();
    const syncSeconds = (started - syncStarted) / 1000;
    const pids = fleet.members.map((member) => member.child.pid);
    const cpuBefore = await Promise.all(pids.map(processTreeSeconds));
    const hostBefore = await cpuSnapshot(moto.pid);

    for (;;) {
      if ((await previewedExercises(db, languages.length)) >= slugs.length) break;
      if ((performance.now() - started) / 1000 > DRAIN_LIMIT_SECONDS) {
        throw new Error(`N=${n}: the drain did not finish within ${DRAIN_LIMIT_SECONDS} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const drainSeconds = (performance.now() - started) / 1000;
    const cpuAfter = await Promise.all(pids.map(processTreeSeconds));
    const host = cpuBetween(hostBefore, await cpuSnapshot(moto.pid));
    const consumerCpuSeconds = cpuAfter.reduce<number>(
      (sum, after, i) => sum + (after ?? Number.NaN) - (cpuBefore[i] ?? Number.NaN),
      0,
    );
    const atDrain = await renderViolations(db, slugs, languages);
    // Messages still in hand or due soon may render something more: let them finish, then look again.
    await queueQuiet(target.queueUrl, 15_000);
    const logs = fleet.members.map((member) => member.stderr);
    if (logsDir !== '') {
      await mkdir(logsDir, { recursive: true });
      await Promise.all(logs.map((log, i) => writeFile(path.join(logsDir, `N${n}-${i}.log`), log)));
    }
    await fleet.stop();
    const afterStop = await renderViolations(db, slugs, languages);
    const uploads = bunny.requests.filter(
      (request) =>
        request.status >= 200 &&
        request.status < 300 &&
        ((request.method === 'PUT' && /^\/videos\/[^/]+$/.test(request.path)) ||
          (request.method === 'POST' && request.path.startsWith('/tusupload'))),
    ).length;
    const sizes = [...new Set(bunny.videos().map((video) => String(video.guid)))]
      .map((guid) => bunny.upload(guid)?.bytes)
      .filter((bytes): bytes is number => bytes !== undefined);
    return {
      consumers: n,
      drainSeconds,
      syncSeconds,
      consumerCpuSeconds,
      motoCpuSeconds: host?.processSeconds,
      busyCores: host?.busyCores,
      readyRenders: await readyCount(db),
      uploads,
      meanUploadBytes: sizes.length > 0 ? sizes.reduce((a, b) => a + b, 0) / sizes.length : 0,
      logs: summariseLogs(logs),
      violations: [...new Set([...atDrain, ...afterStop])],
    };
  } finally {
    await db.end().catch(() => {});
    await fleet.stop();
    await target.drop();
    await bunny.stop();
  }
}

/** Exercises whose catalog shows a ready preview of the current version, every language ready. */
async function previewedExercises(db: pg.Client, languageCount: number): Promise<number> {
  const { rows } = await db
    .query<{ done: string }>(
      `SELECT count(*) AS done FROM exercises e
         JOIN exercise_renders c ON c.id = e.catalog_render_id AND c.asset_version = e.asset_version
        WHERE (SELECT count(DISTINCT r.language) FROM exercise_renders r
                WHERE r.exercise_id = e.id AND r.asset_version = e.asset_version
                  AND r.status = 'ready' AND r.catalog_preview) >= $1`,
      [languageCount],
    )
    .catch(() => ({ rows: [{ done: '0' }] }));
  return Number(rows[0]?.done ?? 0);
}

async function readyCount(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    "SELECT count(*) AS n FROM exercise_renders WHERE status = 'ready'",
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Every way the catalog departs from exactly one ready render per exercise, language and asset
 * version (and one asset version per exercise: one sync is one change).
 */
async function renderViolations(db: pg.Client, slugs: string[], langs: string[]): Promise<string[]> {
  const { rows } = await db.query<{ slug: string; language: string; asset_version: number; n: string }>(
    `SELECT e.slug, r.language, r.asset_version, count(*) AS n
       FROM exercise_renders r JOIN exercises e ON e.id = r.exercise_id
      WHERE r.status = 'ready'
      GROUP BY e.slug, r.language, r.asset_version`,
  );
  const problems: string[] = [];
  for (const row of rows) {
    if (Number(row.n) !== 1) {
      problems.push(`${row.slug} ${row.language} v${row.asset_version}: ${row.n} ready renders`);
    }
    if (row.asset_version !== 1) problems.push(`${row.slug} ${row.language}: ready at v${row.asset_version}`);
  }
  for (const slug of slugs) {
    for (const language of langs) {
      if (!rows.some((row) => row.slug === slug && row.language === language)) {
        problems.push(`${slug} ${language}: no ready render`);
      }
    }
  }
  return problems;
}

/** Waits until no message is visible or in flight (delayed re-looks may remain), or `ms` passed. */
async function queueQuiet(queueUrl: string, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    if (Object.values(Attributes).every((value) => Number(value) === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
