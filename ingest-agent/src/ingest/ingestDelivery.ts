import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import { exercisePrefix, type Logger } from '@exercise-pipeline/shared';
import { deliveryIdOf, deliverySignature, Journal, type JournalEntry } from '../journal/Journal.js';
import type { RefusalReason } from '../plan/refusal.js';
import { tellTeam } from '../report/tellTeam.js';
import type { AgentConfig } from '../rules/agentConfig.js';
import { stageBundle } from '../stage/stageBundle.js';
import type { HashCache } from '../sync/HashCache.js';
import { type SyncBundleOptions, type SyncProgress, syncBundle } from '../sync/syncBundle.js';
import { sleep, withRetry } from '../sync/withRetry.js';
import { checkStagedVoiceOvers } from './checkStaged.js';
import { inspectDelivery } from './inspectDelivery.js';
import { type DeliveryPlan, planDelivery } from './planDelivery.js';
import { publishDeliveryRefused } from './publishDeliveryRefused.js';
import { changedFiles, scanDelivery } from './scanDelivery.js';
import { emptyResult, type IngestResult } from './types.js';

/** Steps of an ingest, for progress displays. */
export type IngestStep = 'planning' | 'probing' | 'settling' | 'staging' | 'uploading' | 'reporting';

export interface IngestOptions {
  /** The delivery folder. */
  folder: string;
  config: AgentConfig;
  s3: S3Client;
  /** Without it no "Delivery Refused" / "Bundle Synced" events are sent. */
  events?: EventBridgeClient;
  bucket: string;
  eventBusName: string;
  /** DATA_DIR: journal, staging area and hash cache live here. */
  dataDir: string;
  /** Check and stage everything, upload and move nothing; default false. */
  dryRun?: boolean;
  /**
   * The folder is listed, then listed again after this long; a file whose size or time changed
   * is still being copied and the delivery is deferred. Default 1000 ms. (A watcher that already
   * waited for the folder to settle may pass 0: the listing is still compared once more just
   * before the upload.)
   */
  settleCheckMs?: number;
  /** Host name sent with "Delivery Refused"; default os.hostname(). */
  host?: string;
  /** Files uploaded at once; default 4. */
  concurrency?: number;
  /** Retry of S3/EventBridge calls; default: unlimited, 250 ms base, 15 s cap (waits out an outage). */
  retry?: SyncBundleOptions['retry'];
  /** A daemon's shared hash cache; default: loaded from DATA_DIR per ingest. */
  hashCache?: HashCache;
  onProgress?: (progress: SyncProgress) => void;
  onStep?: (step: IngestStep) => void;
  signal?: AbortSignal;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn'>;
}

const RESUMABLE = new Set<JournalEntry['state']>(['staged', 'uploading', 'synced', 'done']);

function stillCopying(paths: readonly string[]): RefusalReason[] {
  return paths.map((file) => ({
    file,
    problem: 'the file changed while the agent was reading the folder (it is probably still being copied)',
    fix: 'Wait until the copy has finished; the agent tries again once nothing changes any more',
  }));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function skeleton(plan: DeliveryPlan): IngestResult {
  const result = emptyResult(plan.folder, plan.exercise);
  result.renamed = plan.renames.map((rename) => ({ from: rename.source, to: rename.target }));
  result.extracted = plan.extractions.map((extraction) => ({
    from: extraction.source,
    to: extraction.target,
  }));
  result.ignored = plan.ignored;
  result.bundle =
    plan.exercise === null ? [] : plan.uploads.map((key) => exercisePrefix(plan.exercise!) + key);
  return result;
}

/**
 * Ingests one delivery folder, once: plan the renames, probe and validate everything, stage the
 * convention bundle under DATA_DIR, sync it (media first, manifest last), then tell the team. A
 * durable journal makes it resumable after a crash and stops the same content from being reported
 * twice; a refused delivery is not judged again until something in it (or the config) changes.
 * Resolves with the outcome (done, refused, deferred, dry-run); rejects only when the agent itself
 * fails (S3 refusing access, ffmpeg missing, an abort).
 */
export async function ingestDelivery(options: IngestOptions): Promise<IngestResult> {
  const { config, logger, signal } = options;
  const dryRun = options.dryRun ?? false;
  const folder = resolve(options.folder);
  const id = deliveryIdOf(folder);
  const journal = new Journal(options.dataDir);

  options.onStep?.('planning');
  const plan = await planDelivery(folder, config);
  const signature = deliverySignature(plan.scan.files, config);
  const entry = dryRun ? null : await journal.get(id);
  const same = entry !== null && entry.signature === signature;
  if (same && entry.state === 'refused' && entry.result !== undefined) {
    logger?.info({ folder }, 'delivery unchanged since it was refused; not judged again');
    return { ...(entry.result as IngestResult), repeated: true };
  }
  const result = skeleton(plan);

  options.onStep?.('probing');
  const inspection = await inspectDelivery(plan, config, signal);
  result.warnings = inspection.warnings;
  result.transcoded = inspection.transcoded;

  options.onStep?.('settling');
  await sleep(options.settleCheckMs ?? 1000, signal);
  const moving = changedFiles(plan.scan, await scanDelivery(folder));
  if (moving.length > 0) return defer(result, moving, logger);

  const refusals = [...plan.refusals, ...inspection.refusals];
  if (refusals.length > 0) return refuse(result, refusals, { options, journal, id, signature, plan });
  const manifest = plan.manifest!;
  const slug = plan.exercise!;

  const stagingRoot = join(
    resolve(options.dataDir),
    'staging',
    dryRun ? `${id}-dry-${randomBytes(4).toString('hex')}` : id,
  );
  const bundleDir = join(stagingRoot, 'bundle');
  const resume = same && RESUMABLE.has(entry.state) && (await exists(join(bundleDir, 'manifest.json')));
  try {
    if (resume) logger?.info({ folder, state: entry?.state }, 'resuming delivery from the journal');
    else {
      options.onStep?.('staging');
      await stageBundle({
        folder,
        bundleDir,
        workDir: join(stagingRoot, 'work'),
        renames: plan.renames,
        extractions: plan.extractions,
        manifest,
        ...(inspection.transcode ? { transcode: inspection.transcode } : {}),
        ...(signal ? { signal } : {}),
      });
      const staged = await checkStagedVoiceOvers(bundleDir, plan, signal);
      if (staged.length > 0) return await refuse(result, staged, { options, journal, id, signature, plan });
      if (!dryRun)
        await journal.put({ version: 1, deliveryId: id, folder, signature, state: 'staged', exercise: slug });
    }
    if (dryRun) {
      result.status = 'dry-run';
      return result;
    }
    // Staging can take minutes; a file that changed meanwhile makes the staged copy suspect.
    const changed = changedFiles(plan.scan, await scanDelivery(folder));
    if (changed.length > 0) return defer(result, changed, logger);

    options.onStep?.('uploading');
    await journal.put({ version: 1, deliveryId: id, folder, signature, state: 'uploading', exercise: slug });
    const synced = await syncBundle({
      s3: options.s3,
      ...(options.events ? { events: options.events } : {}),
      bucket: options.bucket,
      slug,
      localDir: bundleDir,
      eventBusName: options.eventBusName,
      dataDir: options.dataDir,
      delivery: basename(folder),
      host: options.host ?? hostname(),
      ...(options.hashCache ? { hashCache: options.hashCache } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(signal ? { signal } : {}),
      ...(logger ? { logger } : {}),
    });
    await journal.put({ version: 1, deliveryId: id, folder, signature, state: 'synced', exercise: slug });
    Object.assign(result, {
      status: 'done',
      uploaded: synced.uploaded,
      skipped: synced.skipped,
      deleted: synced.deleted,
      bytesUploaded: synced.bytesUploaded,
      fingerprint: synced.fingerprint,
    });

    if (same && entry.state === 'done') {
      // The team was told already; a second report (or a second move) would be a second "done".
      result.repeated = true;
    } else {
      options.onStep?.('reporting');
      Object.assign(result, await tellTeam(result, config, logger));
    }
    await journal.put({
      version: 1,
      deliveryId: id,
      folder,
      signature,
      state: 'done',
      exercise: slug,
      result,
    });
    logger?.info(
      { folder, exercise: slug, uploaded: result.uploaded.length, skipped: result.skipped.length },
      'delivery ingested',
    );
    await rm(stagingRoot, { recursive: true, force: true });
    return result;
  } finally {
    if (dryRun) await rm(stagingRoot, { recursive: true, force: true });
  }
}

function defer(result: IngestResult, files: readonly string[], logger?: Pick<Logger, 'info'>): IngestResult {
  logger?.info({ folder: result.delivery, files }, 'delivery still changing; deferred');
  return { ...result, status: 'deferred', rejected: stillCopying(files) };
}

interface RefuseContext {
  options: IngestOptions;
  journal: Journal;
  id: string;
  signature: string;
  plan: DeliveryPlan;
}

/** Tells the team (report, optional move), tells operators (event), and remembers the verdict. */
async function refuse(
  result: IngestResult,
  reasons: RefusalReason[],
  context: RefuseContext,
): Promise<IngestResult> {
  const { options, plan } = context;
  const refused: IngestResult = { ...result, status: 'refused', rejected: reasons };
  options.logger?.warn({ folder: plan.folder, reasons }, 'delivery refused');
  if (options.dryRun) return refused;
  Object.assign(refused, await tellTeam(refused, options.config, options.logger));
  const events = options.events;
  if (events !== undefined) {
    await withRetry(
      () =>
        publishDeliveryRefused(
          events,
          options.eventBusName,
          {
            delivery: plan.folderName,
            ...(plan.exercise === null ? {} : { exercise: plan.exercise }),
            reasons,
            host: options.host ?? hostname(),
          },
          options.signal,
        ),
      {
        attempts: options.retry?.attempts ?? Number.POSITIVE_INFINITY,
        baseMs: options.retry?.baseMs ?? 250,
        maxMs: options.retry?.maxMs ?? 15_000,
        ...(options.signal ? { signal: options.signal } : {}),
        onRetry: ({ error, attempt, delayMs }) =>
          options.logger?.warn(
            { err: error, attempt, delayMs },
            'cannot put "Delivery Refused" yet, retrying',
          ),
      },
    );
  }
  await context.journal.put({
    version: 1,
    deliveryId: context.id,
    folder: plan.folder,
    signature: context.signature,
    state: 'refused',
    exercise: plan.exercise,
    result: refused,
  });
  return refused;
}
