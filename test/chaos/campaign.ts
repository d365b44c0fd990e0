/**
 * The fault campaign: an ingest agent and several render consumers, as shipped (the built programs),
 * against moto (behind an endpoint that can "restart"), a PostgreSQL server of the campaign's own and
 * the Bunny Stream double, while deliveries arrive and faults are injected at random: SIGKILL of any
 * program, endpoint restarts mid-sync, the drop folder removed and restored, Bunny 5xx answers and
 * timeouts, a database restart. Then the faults stop, everything is let finish its work, and the outcome is
 * checked: the bucket holds exactly what the deliveries planned, one ready catalog render per
 * exercise, language and asset version, no message lost (every routed message was either handled or
 * dead-lettered, none left), and no Bunny video that no render references once `sweep` ran.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
} from '@aws-sdk/client-sqs';
import { PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ensureLocalTopology } from '@exercise-pipeline/infra';
import {
  createEventBridgeClient,
  createPrng,
  createS3Client,
  createSqsClient,
} from '@exercise-pipeline/shared';
import pg from 'pg';
import { BunnyStreamDouble } from '../doubles/bunny-stream-double.js';
import { generateDelivery } from '../fixtures/index.js';
import { freePort, startMotoServer, TEST_AWS_ENV } from '../harness/moto-server.js';
import { runCliProcess } from '../harness/cli-run.js';
import { AGENT_BIN, CONSUMER_BIN } from '../harness/programs.js';
import { type FlakyEndpoint, startFlakyEndpoint } from './flaky-endpoint.js';
import { type PrivatePostgres, startPrivatePostgres } from './private-postgres.js';

export const FAULT_KINDS = [
  'kill-agent',
  'kill-consumer',
  'endpoint-restart',
  'drop-folder-gone',
  'bunny-5xx',
  'bunny-timeout',
  'database-restart',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface CampaignOptions {
  /** A fresh folder the campaign may fill (drop folder, data dirs, logs, the database). */
  root: string;
  /** Seeds the choice and timing of the faults. */
  seed: number;
  /** Deliveries (one exercise each) dropped during the fault window. Default 4. */
  deliveries?: number;
  /** Consumer processes. Default 3. */
  consumers?: number;
  /** How long faults are injected. Default 120 s. */
  faultSeconds?: number;
  /** Pause between two faults, in seconds, drawn from this range. Default [3, 8]. */
  faultPauseSeconds?: [number, number];
  /** Fault kinds drawn from; default all of them. */
  faults?: readonly FaultKind[];
  /** How long the pipeline may take to finish its work once the faults stopped. Default 240 s. */
  recoverySeconds?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface CampaignCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface CampaignReport {
  faults: Record<FaultKind, number>;
  checks: CampaignCheck[];
  messages: { sent: number; deadLettered: number; leftInQueue: number };
  seconds: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUCKET = 'chaos-assets';
const NAMES = ['Alfa', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot', 'Golf', 'Hotel', 'India', 'Juliett'];
/** Small media: the campaign is about faults, not render time. */
const MEDIA = { width: 160, height: 90, fps: 25, repSeconds: 0.2, framingSeconds: 2, speech: false } as const;

interface Program {
  name: string;
  args: string[];
  env: Record<string, string>;
  child?: ChildProcess;
  starts: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const random = createPrng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const between = (low: number, high: number) => low + random() * (high - low);
  const deliveries = options.deliveries ?? 4;
  const consumerCount = options.consumers ?? 3;
  const faultKinds = options.faults ?? FAULT_KINDS;
  const [pauseLow, pauseHigh] = options.faultPauseSeconds ?? [3, 8];
  const faults = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  const dropDir = path.join(options.root, 'drop');
  const stagingDir = path.join(options.root, 'staging');
  const logsDir = path.join(options.root, 'logs');
  await Promise.all([dropDir, stagingDir, logsDir].map((dir) => mkdir(dir, { recursive: true })));

  const programs: Program[] = [];
  let moto: Awaited<ReturnType<typeof startMotoServer>> | undefined;
  let endpoint: FlakyEndpoint | undefined;
  let database: PrivatePostgres | undefined;
  let bunny: BunnyStreamDouble | undefined;
  try {
    moto = await startMotoServer('chaos');
    endpoint = await startFlakyEndpoint(moto.endpoint);
    Object.assign(process.env, TEST_AWS_ENV);
    const aws = { endpoint: moto.endpoint, region: TEST_AWS_ENV.AWS_REGION };
    const s3 = createS3Client(aws);
    const sqs = createSqsClient(aws);
    const events = createEventBridgeClient(aws);
    const topology = await ensureLocalTopology({ s3, sqs, events }, { bucket: BUCKET });
    // Every message the rule routes to the render queue also goes to an audit queue: what was sent.
    const audit = await sqs.send(new CreateQueueCommand({ QueueName: 'chaos-audit' }));
    const auditArn = `arn:aws:sqs:${TEST_AWS_ENV.AWS_REGION}:123456789012:chaos-audit`;
    await events.send(
      new PutTargetsCommand({
        Rule: topology.ruleName,
        EventBusName: topology.busName,
        Targets: [{ Id: 'chaos-audit', Arn: auditArn }],
      }),
    );
    database = await startPrivatePostgres();
    bunny = await new BunnyStreamDouble({ transcodingAfterMs: 300, finishedAfterMs: 1500 }).start();
    log(
      `moto ${moto.endpoint} (through ${endpoint.endpoint}), PostgreSQL ${database.url}, Bunny ${bunny.url}`,
    );

    const base: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...TEST_AWS_ENV,
      AWS_ENDPOINT_URL: endpoint.endpoint,
      AWS_CONNECT_TIMEOUT_SECONDS: '2',
      AWS_REQUEST_TIMEOUT_SECONDS: '10',
      ASSETS_BUCKET: BUCKET,
      EVENT_BUS_NAME: topology.busName,
      LOG_LEVEL: 'info',
    };
    const ports: number[] = [];
    for (let i = 0; i < consumerCount; i += 1) {
      const port = await freePort();
      ports.push(port);
      programs.push({
        name: `consumer-${i + 1}`,
        args: [CONSUMER_BIN, 'run'],
        starts: 0,
        env: {
          ...base,
          RENDER_QUEUE_URL: topology.queueUrl,
          RENDER_DLQ_URL: topology.dlqUrl,
          DATABASE_URL: database.url,
          DATA_DIR: path.join(options.root, `consumer-${i + 1}`),
          PUBLISH_TARGET: 'bunny',
          BUNNY_STREAM_API_URL: bunny.url,
          BUNNY_STREAM_LIBRARY_ID: String(bunny.libraryId),
          BUNNY_STREAM_API_KEY: bunny.apiKey,
          BUNNY_STREAM_READ_ONLY_API_KEY: bunny.readOnlyApiKey,
          BUNNY_STREAM_CDN_HOSTNAME: 'vz-chaos.b-cdn.net',
          COMPOSER_PORT: String(port),
          SETTLE_SECONDS: '2',
          RENDER_GRACE_SECONDS: '0',
          QUEUE_VISIBILITY_TIMEOUT_SECONDS: '10',
          QUEUE_WAIT_SECONDS: '1',
          QUEUE_RETRY_BASE_SECONDS: '1',
          QUEUE_RETRY_MAX_SECONDS: '4',
          RENDER_LEASE_SECONDS: '5',
          TRANSCODE_POLL_SECONDS: '1',
          SHUTDOWN_DEADLINE_SECONDS: '2',
        },
      });
    }
    // Webhooks go to the first consumer; while it is down, the others' polling finishes renders.
    bunny.setWebhookUrl(`http://127.0.0.1:${ports[0]}/v1/bunny/webhook`);
    const agent: Program = {
      name: 'agent',
      args: [AGENT_BIN, 'watch', dropDir, '--config', path.join(ROOT, 'test/demo/agent.demo.json')],
      starts: 0,
      env: { ...base, DATA_DIR: path.join(options.root, 'agent') },
    };
    programs.push(agent);
    for (const program of programs) startProgram(program, logsDir);

    // The deliveries, planned before they are dropped: what the bucket must hold at the end.
    const planned = new Map<string, { folder: string; keys: string[] }>();
    for (let i = 0; i < deliveries; i += 1) {
      const folderName = `${101 + i} Chaos ${NAMES[i % NAMES.length]}${i >= NAMES.length ? ` ${i}` : ''}`;
      const delivery = await generateDelivery(stagingDir, {
        ...MEDIA,
        folderName,
        cacheDir: path.join(options.root, 'media-cache'),
      });
      const plan = await runToEnd(process.execPath, [AGENT_BIN, 'plan', delivery.dir, '--json'], base);
      const parsed = JSON.parse(plan) as { exercise: string; uploads: string[] };
      planned.set(parsed.exercise, { folder: folderName, keys: parsed.uploads });
    }
    log(`${deliveries} deliveries planned: ${[...planned.keys()].join(', ')}`);

    // ---- the fault window: deliveries arrive during its first half ----
    const faultEnd = Date.now() + (options.faultSeconds ?? 120) * 1000;
    const dropTimes = [...planned.values()].map(
      (_, i) => Date.now() + (i / deliveries) * ((faultEnd - Date.now()) / 2),
    );
    const pending = [...planned.values()];
    let dropFolderAway = false;
    const bag: FaultKind[] = [];
    const shuffle = (items: readonly FaultKind[]) =>
      items
        .map((item) => ({ item, order: random() }))
        .sort((a, b) => a.order - b.order)
        .map((entry) => entry.item);
    const dropDue = async () => {
      while (pending.length > 0 && (dropTimes[deliveries - pending.length] ?? 0) <= Date.now()) {
        if (dropFolderAway) return;
        const next = pending.shift()!;
        await rename(path.join(stagingDir, next.folder), path.join(dropDir, next.folder));
        log(`dropped ${next.folder}`);
      }
    };
    // The window lasts at least until every kind came once.
    let injected = 0;
    while (Date.now() < faultEnd || injected < faultKinds.length) {
      await dropDue();
      await sleep(between(pauseLow, pauseHigh) * 1000);
      await dropDue();
      // Drawn from a shuffled bag of every kind, so each kind comes once before any comes twice.
      if (bag.length === 0) bag.push(...shuffle(faultKinds));
      const kind = bag.pop()!;
      faults[kind] += 1;
      injected += 1;
      log(`fault: ${kind}`);
      switch (kind) {
        case 'kill-agent':
          await killAndRestart(agent, between(1000, 3000), logsDir);
          break;
        case 'kill-consumer':
          await killAndRestart(pick(programs.filter((p) => p !== agent)), between(1000, 3000), logsDir);
          break;
        case 'endpoint-restart':
          await endpoint.outage(between(2000, 5000));
          break;
        case 'drop-folder-gone': {
          const away = `${dropDir}.away`;
          dropFolderAway = true;
          await rename(dropDir, away);
          await sleep(between(3000, 8000));
          await rename(away, dropDir);
          dropFolderAway = false;
          break;
        }
        case 'bunny-5xx':
          bunny.failFor(between(2000, 6000), pick([500, 502, 503]));
          break;
        case 'bunny-timeout':
          bunny.delayNext(Math.ceil(between(1, 4)), 45_000);
          break;
        case 'database-restart':
          await database.restart(between(1000, 4000));
          break;
      }
    }
    // Whatever was not dropped yet arrives now, without faults.
    while (pending.length > 0) {
      const next = pending.shift()!;
      await rename(path.join(stagingDir, next.folder), path.join(dropDir, next.folder));
    }
    for (const program of programs) {
      if (program.child?.exitCode !== null || program.child?.signalCode !== null) {
        log(`${program.name} had exited; starting it again`);
        startProgram(program, logsDir);
      }
    }

    // ---- recovery: every delivery processed, every preview ready, the queue empty ----
    const catalog = new pg.Client({ connectionString: database.url });
    await catalog.connect();
    try {
      const slugs = [...planned.keys()];
      const recoverBy = Date.now() + (options.recoverySeconds ?? 240) * 1000;
      let recovered = false;
      let quietPolls = 0;
      while (Date.now() < recoverBy) {
        const processed = await readdir(path.join(dropDir, 'processed')).catch(() => [] as string[]);
        const notReady = await previewsNotReady(catalog, slugs);
        const depth = await queueDepth(sqs, topology.queueUrl);
        quietPolls =
          processed.length === deliveries && notReady.length === 0 && depth === 0 ? quietPolls + 1 : 0;
        if (quietPolls >= 3) {
          recovered = true;
          break;
        }
        await sleep(2000);
      }
      log(recovered ? 'recovered' : 'did not recover in time');
      const sweep = await runToEnd(process.execPath, [CONSUMER_BIN, 'sweep', '--json'], {
        ...programs[0]!.env,
      }).catch((error: unknown) => `sweep failed: ${String(error)}`);
      log(`sweep: ${sweep.trim().slice(0, 200)}`);

      const checks: CampaignCheck[] = [];
      checks.push(await checkDeliveries(dropDir, planned));
      checks.push(await checkBucket(s3, planned));
      checks.push(await checkOneReadyRender(catalog, slugs));
      const messages = await countMessages(sqs, audit.QueueUrl!, topology.dlqUrl, topology.queueUrl);
      checks.push({
        name: 'no message lost (sent = handled + dead-lettered, none left)',
        ok: messages.leftInQueue === 0 && messages.sent > 0,
        detail: `sent ${messages.sent}, handled ${messages.sent - messages.deadLettered - messages.leftInQueue}, dead-lettered ${messages.deadLettered}, left ${messages.leftInQueue}`,
      });
      checks.push(await checkNoOrphanVideos(catalog, bunny));
      return { faults, checks, messages, seconds: (Date.now() - started) / 1000 };
    } finally {
      await catalog.end();
    }
  } finally {
    await Promise.all(programs.map((program) => stopProgram(program)));
    await bunny?.stop();
    await database?.stop();
    await endpoint?.close();
    await moto?.stop();
  }
}

function startProgram(program: Program, logsDir: string): void {
  program.starts += 1;
  const out = createWriteStream(path.join(logsDir, `${program.name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, program.args, {
    cwd: ROOT,
    env: program.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  program.child = child;
}

function killGroup(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function killAndRestart(program: Program, downMs: number, logsDir: string): Promise<void> {
  const child = program.child;
  killGroup(child, 'SIGKILL');
  if (child && child.exitCode === null && child.signalCode === null) {
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await sleep(downMs);
  startProgram(program, logsDir);
}

async function stopProgram(program: Program): Promise<void> {
  const child = program.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs a command to its end and resolves with its stdout; rejects with its stderr on a non-zero exit. */
async function runToEnd(command: string, args: string[], env: Record<string, string>): Promise<string> {
  const run = await runCliProcess(command, args, {
    cwd: ROOT,
    env,
    label: args.slice(1, 3).join(' '),
    timeoutMs: 120_000,
  });
  if (run.code !== 0) throw new Error(`${args.join(' ')} exited ${run.code}: ${run.stderr.slice(-1000)}`);
  return run.stdout;
}

async function queueDepth(sqs: ReturnType<typeof createSqsClient>, queueUrl: string): Promise<number> {
  const answer = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const attributes = answer.Attributes ?? {};
  return (
    Number(attributes.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Slugs whose current asset version lacks a ready render for a manifest language, or has no catalog render. */
async function previewsNotReady(catalog: pg.Client, slugs: string[]): Promise<string[]> {
  const rows = await catalog
    .query<{ slug: string; ready: boolean }>(
      `SELECT e.slug,
              e.catalog_render_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM exercise_renders r
                               WHERE r.exercise_id = e.id AND r.asset_version = e.asset_version
                                 AND r.status <> 'ready') AS ready
         FROM exercises e WHERE e.slug = ANY($1)`,
      [slugs],
    )
    .catch(() => ({ rows: [] as { slug: string; ready: boolean }[] }));
  const ready = new Set(rows.rows.filter((row) => row.ready).map((row) => row.slug));
  return slugs.filter((slug) => !ready.has(slug));
}

async function checkDeliveries(
  dropDir: string,
  planned: Map<string, { folder: string; keys: string[] }>,
): Promise<CampaignCheck> {
  const processed = new Set(await readdir(path.join(dropDir, 'processed')).catch(() => [] as string[]));
  const missing = [...planned.values()].map((p) => p.folder).filter((folder) => !processed.has(folder));
  const refused = existsSync(path.join(dropDir, 'refused'))
    ? await readdir(path.join(dropDir, 'refused'))
    : [];
  return {
    name: 'every delivery ingested (moved to processed/)',
    ok: missing.length === 0 && refused.length === 0,
    detail:
      missing.length === 0 && refused.length === 0
        ? `${planned.size} of ${planned.size}`
        : `not processed: ${missing.join(', ') || '-'}; refused: ${refused.join(', ') || '-'}`,
  };
}

async function checkBucket(
  s3: ReturnType<typeof createS3Client>,
  planned: Map<string, { folder: string; keys: string[] }>,
): Promise<CampaignCheck> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  const expected = [...planned.values()].flatMap((p) => p.keys).sort();
  const actual = keys.sort();
  const extra = actual.filter((key) => !expected.includes(key));
  const missing = expected.filter((key) => !actual.includes(key));
  return {
    name: 'bucket equals the deliveries',
    ok: extra.length === 0 && missing.length === 0,
    detail:
      extra.length === 0 && missing.length === 0
        ? `${actual.length} objects, as planned`
        : `missing: ${missing.slice(0, 5).join(', ') || '-'}; unexpected: ${extra.slice(0, 5).join(', ') || '-'}`,
  };
}

async function checkOneReadyRender(catalog: pg.Client, slugs: string[]): Promise<CampaignCheck> {
  const groups = await catalog.query<{
    slug: string;
    language: string;
    asset_version: number;
    ready: string;
  }>(
    `SELECT e.slug, r.language, r.asset_version, count(*) FILTER (WHERE r.status = 'ready') AS ready
       FROM exercises e JOIN exercise_renders r ON r.exercise_id = e.id
      WHERE e.slug = ANY($1) AND r.asset_version = e.asset_version
      GROUP BY e.slug, r.language, r.asset_version`,
    [slugs],
  );
  const wrong = groups.rows.filter((row) => Number(row.ready) !== 1);
  const covered = new Set(groups.rows.map((row) => row.slug));
  const absent = slugs.filter((slug) => !covered.has(slug));
  return {
    name: 'one ready catalog render per exercise/language/version',
    ok: wrong.length === 0 && absent.length === 0,
    detail:
      wrong.length === 0 && absent.length === 0
        ? `${groups.rows.length} exercise/language pairs, each with exactly one`
        : `wrong: ${wrong.map((row) => `${row.slug}/${row.language}/v${row.asset_version}=${row.ready}`).join(', ') || '-'}; no render: ${absent.join(', ') || '-'}`,
  };
}

async function countMessages(
  sqs: ReturnType<typeof createSqsClient>,
  auditUrl: string,
  dlqUrl: string,
  queueUrl: string,
): Promise<{ sent: number; deadLettered: number; leftInQueue: number }> {
  const drain = async (url: string) => {
    let count = 0;
    for (let empty = 0; empty < 2; ) {
      const answer = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 60,
        }),
      );
      const messages = answer.Messages ?? [];
      if (messages.length === 0) empty += 1;
      count += messages.length;
      for (const message of messages) {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
      }
    }
    return count;
  };
  return {
    sent: await drain(auditUrl),
    deadLettered: await drain(dlqUrl),
    leftInQueue: await queueDepth(sqs, queueUrl),
  };
}

async function checkNoOrphanVideos(catalog: pg.Client, bunny: BunnyStreamDouble): Promise<CampaignCheck> {
  const referenced = await catalog.query<{ bunny_video_id: string }>(
    `SELECT bunny_video_id FROM exercise_renders WHERE bunny_video_id IS NOT NULL AND status <> 'deleted'`,
  );
  const known = new Set(referenced.rows.map((row) => row.bunny_video_id));
  const videos = bunny.videos().map((video) => String(video.guid));
  const orphans = videos.filter((guid) => !known.has(guid));
  return {
    name: 'no orphan Bunny video after sweep',
    ok: orphans.length === 0,
    detail:
      orphans.length === 0 ? `${videos.length} videos, all referenced` : `orphans: ${orphans.join(', ')}`,
  };
}

/** The report as the table the campaign prints. */
export function formatCampaignReport(report: CampaignReport): string {
  const lines = ['fault                 injected'];
  for (const kind of FAULT_KINDS) lines.push(`${kind.padEnd(21)} ${String(report.faults[kind]).padStart(8)}`);
  const width = Math.max(...report.checks.map((check) => check.name.length));
  lines.push('', `${'check'.padEnd(width)} result  detail`);
  for (const check of report.checks) {
    lines.push(`${check.name.padEnd(width)} ${(check.ok ? 'ok' : 'FAILED').padEnd(7)} ${check.detail}`);
  }
  lines.push('', `${report.seconds.toFixed(0)} s in all`);
  return lines.join('\n');
}
