import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import type { JournalEntry } from '../journal/journal.js';
import type { RefusalReason } from '../plan/refusal.js';
import { findingDetails, loudnessMetadata, type QcOutcome } from '../qc/inspect-qc.js';
import {
  checkFreeSpace,
  estimateStagingBytes,
  REPORTING_RESERVE_BYTES,
  sameFileSystem,
} from '../stage/check-free-space.js';
import { describeLocalFailure } from '../stage/local-storage-error.js';
import { stageBundle } from '../stage/stage-bundle.js';
import { type SyncBundleOptions, type SyncResult, syncBundle } from '../sync/sync-bundle.js';
import { checkStagedVoiceOvers } from './check-staged.js';
import type { Inspection } from './inspect-delivery.js';
import type { DeliveryPlan } from './plan-delivery.js';
import type { ReportContext } from './report-outcome.js';
import { changedFiles, scanDelivery } from './scan-delivery.js';
import type { IngestOptions } from './types.js';

/** One ingest of one delivery folder, as its steps share it. */
export interface IngestRun {
  options: IngestOptions;
  /** The delivery folder, absolute. */
  folder: string;
  dryRun: boolean;
  plan: DeliveryPlan;
  /** The journal entry of this very content (and config), when there is one. */
  entry: JournalEntry | null;
  /** The journal, the delivery's id and content signature, and its staging folder. */
  report: ReportContext;
}

export type Staged = (
  | { outcome: 'synced'; synced: SyncResult }
  | { outcome: 'refused'; reasons: RefusalReason[] }
  | { outcome: 'deferred'; files: string[] }
  | { outcome: 'dry-run' }
) & {
  /** The picture and sound check of the voice-overs cut out of videos (absent when none was staged). */
  qc?: QcOutcome;
};

const RESUMABLE = new Set<JournalEntry['state']>(['staged', 'uploading', 'synced', 'done']);

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Builds (or, after a crash, reuses) the staged bundle and syncs it. The staging copy stays when
 * this throws, so a restart can resume from it; the caller drops it on any other outcome.
 */
export async function stageAndSync(run: IngestRun, inspection: Inspection): Promise<Staged> {
  const bundleDir = join(run.report.stagingRoot, 'bundle');
  const resume =
    run.entry !== null && RESUMABLE.has(run.entry.state) && (await exists(join(bundleDir, 'manifest.json')));
  let extracted: QcOutcome;
  if (resume) {
    run.options.logger?.info(
      { folder: run.folder, state: run.entry?.state },
      'resuming delivery from the journal',
    );
    // Their verdict was given before the crash; their findings and loudness are needed again.
    extracted = (await checkStagedVoiceOvers(bundleDir, run.plan, run.options.config.qc, run.options.signal))
      .qc;
  } else {
    const staged = await stageAfresh(run, inspection, bundleDir);
    if (staged.outcome !== 'staged') return staged;
    extracted = staged.qc;
  }
  // Staging can take minutes; a file that changed meanwhile makes the staged copy suspect.
  const changed = changedFiles(run.plan.scan, await scanDelivery(run.folder));
  if (changed.length > 0) return { outcome: 'deferred', files: changed };
  const synced = await syncStaged(run, inspection, bundleDir, extracted);
  return { outcome: 'synced', synced, qc: extracted };
}

/**
 * Stages the bundle when the space for it is there, checks the voice-overs cut out of videos, and
 * journals `staged` (a dry run stops before that).
 */
async function stageAfresh(
  run: IngestRun,
  inspection: Inspection,
  bundleDir: string,
): Promise<Staged | { outcome: 'staged'; qc: QcOutcome }> {
  const { options, plan, folder } = run;
  const { signal } = options;
  options.onStep?.('staging');
  const stagingRoot = run.report.stagingRoot;
  const needed = await stagingBytes(plan, inspection, stagingRoot);
  await checkFreeSpace(stagingRoot, needed, `stage "${basename(folder)}"`);
  await stageBundle({
    folder,
    bundleDir,
    workDir: join(stagingRoot, 'work'),
    renames: plan.renames,
    extractions: plan.extractions,
    manifest: plan.manifest!,
    ...(inspection.transcode ? { transcode: inspection.transcode } : {}),
    ...(signal ? { signal } : {}),
  }).catch(async (error: unknown) => {
    // ffmpeg failures and aborts explain themselves; a file system error gets its path and cause.
    if (typeof (error as NodeJS.ErrnoException).syscall !== 'string') throw error;
    throw await describeLocalFailure(bundleDir, error, `stage "${basename(folder)}"`);
  });
  const checked = await checkStagedVoiceOvers(bundleDir, plan, options.config.qc, signal);
  if (checked.reasons.length > 0) return { outcome: 'refused', reasons: checked.reasons, qc: checked.qc };
  if (run.dryRun) return { outcome: 'dry-run', qc: checked.qc };
  await journalState(run, 'staged');
  return { outcome: 'staged', qc: checked.qc };
}

/**
 * Syncs the staged bundle, journalled as `uploading` and then `synced`. Voice-overs are checked
 * before staging (delivered) or right after it (extracted), so their loudness is known here; only
 * the videos' pictures may still be being checked.
 */
async function syncStaged(
  run: IngestRun,
  inspection: Inspection,
  bundleDir: string,
  extracted: QcOutcome,
): Promise<SyncResult> {
  const { options, folder } = run;
  const loudness = new Map([...inspection.qc.loudness, ...extracted.loudness]);
  options.onStep?.('uploading');
  await journalState(run, 'uploading');
  const synced = await syncBundle({
    ...syncSettings(options),
    slug: run.plan.exercise!,
    localDir: bundleDir,
    delivery: basename(folder),
    objectMetadata: new Map([...loudness].map(([key, value]) => [key, loudnessMetadata(value)])),
    ...(options.config.qc.enabled
      ? {
          findings: async () =>
            findingDetails([...(await awaitPictures(inspection)).findings, ...extracted.findings]),
        }
      : {}),
    // Once manifest.json is up the bundle is live and must be reported: anything local that can
    // still fail (a full or read-only DATA_DIR) must fail before it, leaving the manifest unwritten.
    beforeManifest: async () => {
      await checkFreeSpace(options.dataDir, REPORTING_RESERVE_BYTES, `report "${basename(folder)}"`);
      await journalState(run, 'uploading');
    },
  });
  await journalState(run, 'synced');
  return synced;
}

/** The sync's settings that come straight from the ingest's options. */
function syncSettings(
  options: IngestOptions,
): Omit<
  SyncBundleOptions,
  'slug' | 'localDir' | 'delivery' | 'objectMetadata' | 'findings' | 'beforeManifest'
> {
  return {
    s3: options.s3,
    ...(options.events ? { events: options.events } : {}),
    bucket: options.bucket,
    prune: options.prune ?? false,
    eventBusName: options.eventBusName,
    dataDir: options.dataDir,
    host: options.host ?? hostname(),
    ...(options.hashCache ? { hashCache: options.hashCache } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  };
}

/** Journals how far the upload of this content got (`staged`, `uploading`, `synced`). */
function journalState(run: IngestRun, state: 'staged' | 'uploading' | 'synced'): Promise<void> {
  const { journal, deliveryId, signature } = run.report;
  return journal.put({
    version: 1,
    deliveryId,
    folder: run.folder,
    signature,
    state,
    exercise: run.plan.exercise,
  });
}

/** The most the staging copy of this delivery can take under DATA_DIR (see estimateStagingBytes). */
async function stagingBytes(
  plan: DeliveryPlan,
  inspection: Inspection,
  stagingRoot: string,
): Promise<number> {
  const transcoded = inspection.transcode?.targets;
  const encoded = plan.renames.filter(
    (rename) => transcoded?.has(rename.target) || (rename.convert && rename.kind === 'voice-over'),
  );
  return estimateStagingBytes({
    sizes: new Map(plan.scan.files.map((file) => [file.relativePath, file.size])),
    linked: plan.renames.filter((rename) => !encoded.includes(rename)).map((rename) => rename.source),
    encoded: [...encoded.map((rename) => rename.source), ...plan.extractions.map((e) => e.source)],
    sameFileSystem: await sameFileSystem(plan.folder, stagingRoot),
  });
}

/**
 * The whole check of the delivered files: waits for the videos' pictures when they are checked
 * beside staging and upload, and keeps the outcome on the inspection.
 */
export async function awaitPictures(inspection: Inspection): Promise<QcOutcome> {
  if (inspection.pictures !== undefined) {
    inspection.qc = await inspection.pictures;
    delete inspection.pictures;
  }
  return inspection.qc;
}
