import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { exercisePrefix, type Logger, sleep } from '@exercise-pipeline/shared';
import { deliveryIdOf, deliverySignature, Journal, type JournalEntry } from '../journal/journal.js';
import { type RefusalReason, refusal } from '../plan/refusal.js';
import { findingDetails, loudnessMetadata, type QcOutcome } from '../qc/inspect-qc.js';
import {
  checkFreeSpace,
  estimateStagingBytes,
  REPORTING_RESERVE_BYTES,
  sameFileSystem,
} from '../stage/check-free-space.js';
import { describeLocalFailure } from '../stage/local-storage-error.js';
import { prepareDataDir } from '../stage/prepare-data-dir.js';
import { stageBundle } from '../stage/stage-bundle.js';
import { type SyncResult, syncBundle } from '../sync/sync-bundle.js';
import { checkStagedVoiceOvers } from './check-staged.js';
import { processExerciseLocks } from './exercise-locks.js';
import { type Inspection, inspectDelivery } from './inspect-delivery.js';
import { type DeliveryPlan, planDelivery } from './plan-delivery.js';
import { finishReporting, type ReportContext, refuseDelivery, reportOutcome } from './report-outcome.js';
import { changedFiles, scanDelivery } from './scan-delivery.js';
import { emptyResult, type IngestOptions, type IngestResult } from './types.js';

export type { IngestOptions, IngestStep } from './types.js';

const RESUMABLE = new Set<JournalEntry['state']>(['staged', 'uploading', 'synced', 'done']);

function stillCopying(paths: readonly string[]): RefusalReason[] {
  return paths.map((file) => refusal('stillCopying', {}, file));
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
 * Staging and syncing hold the exercise's lock, so two deliveries for one slug never mix in its
 * prefix. Resolves with the outcome (done, refused, deferred, dry-run); rejects only when the agent
 * itself fails (S3 refusing access, ffmpeg missing, an abort).
 */
export async function ingestDelivery(options: IngestOptions): Promise<IngestResult> {
  const { config, logger, signal } = options;
  const dryRun = options.dryRun ?? false;
  const folder = resolve(options.folder);
  const id = deliveryIdOf(folder);
  const journal = new Journal(options.dataDir);

  options.onStep?.('planning');
  // A read-only, foreign or missing DATA_DIR is named now, before anything is read or staged.
  await prepareDataDir(options.dataDir);
  const plan = await planDelivery(folder, config);
  const signature = deliverySignature(plan.scan.files, config);
  const entry = dryRun ? null : await journal.get(id);
  const same = entry !== null && entry.signature === signature;
  const stagingRoot = join(
    resolve(options.dataDir),
    'staging',
    dryRun ? `${id}-dry-${randomBytes(4).toString('hex')}` : id,
  );
  const context: ReportContext = { options, journal, deliveryId: id, signature, stagingRoot };
  if (same && entry.state === 'refused' && entry.result !== undefined) {
    logger?.info({ folder }, 'delivery unchanged since it was refused; not judged again');
    return { ...(entry.result as IngestResult), repeated: true };
  }
  if (same && entry.state === 'reporting' && entry.result !== undefined) {
    // The verdict was final before a crash; only telling the team or the operators was left.
    logger?.info({ folder }, 'finishing the report an earlier run started');
    return finishReporting(entry.result as IngestResult, context, entry.announced ?? false);
  }
  const result = skeleton(plan);

  options.onStep?.('probing');
  // Stops a picture check running beside staging and upload when the ingest ends without a report.
  const pictures = new AbortController();
  const inspection = await inspectDelivery(
    plan,
    config,
    signal,
    signal ? AbortSignal.any([signal, pictures.signal]) : pictures.signal,
  );
  result.warnings = inspection.warnings;
  result.transcoded = inspection.transcoded;
  result.findings = inspection.qc.findings;

  options.onStep?.('settling');
  const moving = await sleep(options.settleCheckMs ?? 1000, signal)
    .then(async () => changedFiles(plan.scan, await scanDelivery(folder)))
    .catch((error: unknown) => {
      pictures.abort();
      throw error;
    });
  if (moving.length > 0) {
    pictures.abort();
    return defer(result, moving, logger);
  }

  const refusals = [...plan.refusals, ...inspection.refusals];
  if (refusals.length > 0) {
    result.findings = (await awaitPictures(inspection)).findings;
    return refuseDelivery(result, refusals, { ...context, plan });
  }
  const slug = plan.exercise!;

  const locks = options.locks ?? processExerciseLocks;
  const staged = await locks
    .run(
      slug,
      () =>
        stageAndSync({
          options,
          plan,
          inspection,
          journal,
          id,
          signature,
          entry: same ? entry : null,
          stagingRoot,
        }),
      {
        ...(signal ? { signal } : {}),
        onWait: () => {
          logger?.info(
            { folder, exercise: slug },
            'another delivery of this exercise is being synced; waiting',
          );
          options.onStep?.('waiting');
        },
      },
    )
    .catch(async (error: unknown) => {
      pictures.abort();
      // An agent that is being stopped keeps its staging copy to resume from on the next start. Any
      // other failure drops it: a full disk must not stay full of it, and the next attempt stages
      // afresh (hard links: cheap). A dry run's copy is of no further use either way.
      if (dryRun || !signal?.aborted)
        await rm(stagingRoot, { recursive: true, force: true }).catch(() => undefined);
      throw error;
    });
  if (staged.outcome === 'deferred') pictures.abort();
  else await awaitPictures(inspection);
  result.findings = [...inspection.qc.findings, ...(staged.qc?.findings ?? [])];
  if (staged.outcome === 'refused') return refuseDelivery(result, staged.reasons, { ...context, plan });
  if (staged.outcome === 'deferred') {
    await rm(stagingRoot, { recursive: true, force: true });
    return defer(result, staged.files, logger);
  }
  if (staged.outcome === 'dry-run') {
    await rm(stagingRoot, { recursive: true, force: true });
    return { ...result, status: 'dry-run' };
  }
  const { synced } = staged;
  Object.assign(result, {
    status: 'done',
    uploaded: synced.uploaded,
    skipped: synced.skipped,
    deleted: synced.deleted,
    bytesUploaded: synced.bytesUploaded,
    fingerprint: synced.fingerprint,
  });
  logger?.info(
    { folder, exercise: slug, uploaded: result.uploaded.length, skipped: result.skipped.length },
    'delivery ingested',
  );
  if (same && entry.state === 'done') {
    // The team was told already; a second report (or a second move) would be a second "done".
    result.repeated = true;
    await journal.put({
      version: 1,
      deliveryId: id,
      folder,
      signature,
      state: 'done',
      exercise: slug,
      result,
    });
    await rm(stagingRoot, { recursive: true, force: true });
    return result;
  }
  return reportOutcome(result, context);
}

interface StageInput {
  options: IngestOptions;
  plan: DeliveryPlan;
  inspection: Inspection;
  journal: Journal;
  id: string;
  signature: string;
  /** The journal entry of this very content, when there is one. */
  entry: JournalEntry | null;
  stagingRoot: string;
}

type Staged = (
  | { outcome: 'synced'; synced: SyncResult }
  | { outcome: 'refused'; reasons: RefusalReason[] }
  | { outcome: 'deferred'; files: string[] }
  | { outcome: 'dry-run' }
) & {
  /** The picture and sound check of the voice-overs cut out of videos (absent when none was staged). */
  qc?: QcOutcome;
};

/**
 * Builds (or, after a crash, reuses) the staged bundle and syncs it. The staging copy stays when
 * this throws, so a restart can resume from it; the caller drops it on any other outcome.
 */
async function stageAndSync(input: StageInput): Promise<Staged> {
  const { options, plan, journal, id, signature, entry } = input;
  const { logger, signal } = options;
  const dryRun = options.dryRun ?? false;
  const folder = plan.folder;
  const slug = plan.exercise!;
  const bundleDir = join(input.stagingRoot, 'bundle');
  const resume =
    entry !== null && RESUMABLE.has(entry.state) && (await exists(join(bundleDir, 'manifest.json')));
  let extracted: QcOutcome;
  if (resume) {
    logger?.info({ folder, state: entry?.state }, 'resuming delivery from the journal');
    // Their verdict was given before the crash; their findings and loudness are needed again.
    extracted = (await checkStagedVoiceOvers(bundleDir, plan, options.config.qc, signal)).qc;
  } else {
    options.onStep?.('staging');
    const needed = await stagingBytes(input);
    await checkFreeSpace(input.stagingRoot, needed, `stage "${basename(folder)}"`);
    await stageBundle({
      folder,
      bundleDir,
      workDir: join(input.stagingRoot, 'work'),
      renames: plan.renames,
      extractions: plan.extractions,
      manifest: plan.manifest!,
      ...(input.inspection.transcode ? { transcode: input.inspection.transcode } : {}),
      ...(signal ? { signal } : {}),
    }).catch(async (error: unknown) => {
      // ffmpeg failures and aborts explain themselves; a file system error gets its path and cause.
      if (typeof (error as NodeJS.ErrnoException).syscall !== 'string') throw error;
      throw await describeLocalFailure(bundleDir, error, `stage "${basename(folder)}"`);
    });
    const checked = await checkStagedVoiceOvers(bundleDir, plan, options.config.qc, signal);
    extracted = checked.qc;
    if (checked.reasons.length > 0) return { outcome: 'refused', reasons: checked.reasons, qc: extracted };
    if (dryRun) return { outcome: 'dry-run', qc: extracted };
    await journal.put({ version: 1, deliveryId: id, folder, signature, state: 'staged', exercise: slug });
  }
  // Staging can take minutes; a file that changed meanwhile makes the staged copy suspect.
  const changed = changedFiles(plan.scan, await scanDelivery(folder));
  if (changed.length > 0) return { outcome: 'deferred', files: changed };

  // Voice-overs are checked before staging (delivered) or right after it (extracted), so their
  // loudness is known here; only the videos' pictures may still be being checked.
  const loudness = new Map([...input.inspection.qc.loudness, ...extracted.loudness]);
  options.onStep?.('uploading');
  await journal.put({ version: 1, deliveryId: id, folder, signature, state: 'uploading', exercise: slug });
  const synced = await syncBundle({
    s3: options.s3,
    ...(options.events ? { events: options.events } : {}),
    bucket: options.bucket,
    slug,
    localDir: bundleDir,
    prune: options.prune ?? false,
    eventBusName: options.eventBusName,
    dataDir: options.dataDir,
    delivery: basename(folder),
    host: options.host ?? hostname(),
    objectMetadata: new Map([...loudness].map(([key, value]) => [key, loudnessMetadata(value)])),
    ...(options.config.qc.enabled
      ? {
          findings: async () =>
            findingDetails([...(await awaitPictures(input.inspection)).findings, ...extracted.findings]),
        }
      : {}),
    ...(options.hashCache ? { hashCache: options.hashCache } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    // Once manifest.json is up the bundle is live and must be reported: anything local that can
    // still fail (a full or read-only DATA_DIR) must fail before it, leaving the manifest unwritten.
    beforeManifest: async () => {
      await checkFreeSpace(options.dataDir, REPORTING_RESERVE_BYTES, `report "${basename(folder)}"`);
      await journal.put({
        version: 1,
        deliveryId: id,
        folder,
        signature,
        state: 'uploading',
        exercise: slug,
      });
    },
    ...(signal ? { signal } : {}),
    ...(logger ? { logger } : {}),
  });
  await journal.put({ version: 1, deliveryId: id, folder, signature, state: 'synced', exercise: slug });
  return { outcome: 'synced', synced, qc: extracted };
}

/** The most the staging copy of this delivery can take under DATA_DIR (see estimateStagingBytes). */
async function stagingBytes(input: StageInput): Promise<number> {
  const { plan } = input;
  const transcoded = input.inspection.transcode?.targets;
  const encoded = plan.renames.filter(
    (rename) => transcoded?.has(rename.target) || (rename.convert && rename.kind === 'voice-over'),
  );
  return estimateStagingBytes({
    sizes: new Map(plan.scan.files.map((file) => [file.relativePath, file.size])),
    linked: plan.renames.filter((rename) => !encoded.includes(rename)).map((rename) => rename.source),
    encoded: [...encoded.map((rename) => rename.source), ...plan.extractions.map((e) => e.source)],
    sameFileSystem: await sameFileSystem(plan.folder, input.stagingRoot),
  });
}

/**
 * The whole check of the delivered files: waits for the videos' pictures when they are checked
 * beside staging and upload, and keeps the outcome on the inspection.
 */
async function awaitPictures(inspection: Inspection): Promise<QcOutcome> {
  if (inspection.pictures !== undefined) {
    inspection.qc = await inspection.pictures;
    delete inspection.pictures;
  }
  return inspection.qc;
}

function defer(result: IngestResult, files: readonly string[], logger?: Pick<Logger, 'info'>): IngestResult {
  logger?.info({ folder: result.delivery, files }, 'delivery still changing; deferred');
  return { ...result, status: 'deferred', rejected: stillCopying(files) };
}
