import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { exercisePrefix, type Logger, sleep } from '@exercise-pipeline/shared';
import { deliveryIdOf, Journal } from '../journal/journal.js';
import { type RefusalReason, refusal } from '../plan/refusal.js';
import { prepareDataDir } from '../stage/prepare-data-dir.js';
import { processExerciseLocks } from './exercise-locks.js';
import { type Inspection, inspectDelivery } from './inspect-delivery.js';
import { type DeliveryPlan, planDelivery } from './plan-delivery.js';
import { contentIdentity, isSameContent } from './prior-verdict.js';
import { finishReporting, refuseDelivery, reportOutcome } from './report-outcome.js';
import { changedFiles, scanDelivery } from './scan-delivery.js';
import { type IngestRun, type Staged, awaitPictures, stageAndSync } from './stage-and-sync.js';
import { emptyResult, type IngestOptions, type IngestResult } from './types.js';

export type { IngestOptions, IngestStep } from './types.js';

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
  options.onStep?.('planning');
  const run = await openDelivery(options);
  const earlier = await answerFromJournal(run);
  if (earlier !== undefined) return earlier;
  const result = skeleton(run.plan);

  options.onStep?.('probing');
  // Stops a picture check running beside staging and upload when the ingest ends without a report.
  const pictures = new AbortController();
  const inspection = await inspectDelivery(
    run.plan,
    options.config,
    options.signal,
    options.signal ? AbortSignal.any([options.signal, pictures.signal]) : pictures.signal,
  );
  result.warnings = inspection.warnings;
  result.transcoded = inspection.transcoded;
  result.findings = inspection.qc.findings;

  const moving = await filesStillMoving(run, pictures);
  if (moving.length > 0) {
    pictures.abort();
    return defer(result, moving, options.logger);
  }
  const refusals = [...run.plan.refusals, ...inspection.refusals];
  if (refusals.length > 0) {
    result.findings = (await awaitPictures(inspection)).findings;
    return refuseDelivery(result, refusals, run.report);
  }
  const staged = await stageUnderLock(run, inspection, pictures);
  if (staged.outcome === 'deferred') pictures.abort();
  else await awaitPictures(inspection);
  result.findings = [...inspection.qc.findings, ...(staged.qc?.findings ?? [])];
  return concludeStaged(run, result, staged);
}

/**
 * Everything an ingest needs before it reads any media: DATA_DIR checked, the folder planned, its
 * identity in the journal and what the journal says about it.
 */
async function openDelivery(options: IngestOptions): Promise<IngestRun> {
  const dryRun = options.dryRun ?? false;
  const folder = resolve(options.folder);
  const id = deliveryIdOf(folder);
  const journal = new Journal(options.dataDir);
  // A read-only, foreign or missing DATA_DIR is named now, before anything is read or staged.
  await prepareDataDir(options.dataDir);
  const plan = await planDelivery(folder, options.config);
  const identity = contentIdentity(plan.scan, options.config);
  const entry = dryRun ? null : await journal.get(id);
  const stagingRoot = join(
    resolve(options.dataDir),
    'staging',
    dryRun ? `${id}-dry-${randomBytes(4).toString('hex')}` : id,
  );
  return {
    options,
    folder,
    dryRun,
    plan,
    entry: isSameContent(entry, identity) ? entry : null,
    report: { options, journal, deliveryId: id, signature: identity.signature, stagingRoot },
  };
}

/**
 * The journal's answer for content it has seen: a refusal stands without being judged again, and a
 * verdict whose report a crash interrupted is reported from the stored result. Undefined: judge it.
 */
async function answerFromJournal(run: IngestRun): Promise<IngestResult | undefined> {
  const { entry, folder } = run;
  const logger = run.options.logger;
  if (entry?.result === undefined) return undefined;
  if (entry.state === 'refused') {
    logger?.info({ folder }, 'delivery unchanged since it was refused; not judged again');
    return { ...(entry.result as IngestResult), repeated: true };
  }
  if (entry.state === 'reporting') {
    // The verdict was final before a crash; only telling the team or the operators was left.
    logger?.info({ folder }, 'finishing the report an earlier run started');
    return finishReporting(entry.result as IngestResult, run.report, entry.announced ?? false);
  }
  return undefined;
}

/** What the result says before any media is read: the plan's names and keys. */
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

/** Lists the folder again after `settleCheckMs`: the files whose size or time changed meanwhile. */
async function filesStillMoving(run: IngestRun, pictures: AbortController): Promise<string[]> {
  const { options } = run;
  options.onStep?.('settling');
  return sleep(options.settleCheckMs ?? 1000, options.signal)
    .then(async () => changedFiles(run.plan.scan, await scanDelivery(run.folder)))
    .catch((error: unknown) => {
      pictures.abort();
      throw error;
    });
}

/**
 * Stages and syncs while holding the exercise's lock. On a failure the picture check stops and the
 * staging copy goes, except when the agent is being stopped: it keeps the copy to resume from on
 * the next start. Any other failure drops it, so a full disk does not stay full of it and the next
 * attempt stages afresh (hard links: cheap); a dry run's copy is of no further use either way.
 */
async function stageUnderLock(
  run: IngestRun,
  inspection: Inspection,
  pictures: AbortController,
): Promise<Staged> {
  const { options, folder } = run;
  const { signal, logger } = options;
  const slug = run.plan.exercise!;
  const locks = options.locks ?? processExerciseLocks;
  return locks
    .run(slug, () => stageAndSync(run, inspection), {
      ...(signal ? { signal } : {}),
      onWait: () => {
        logger?.info(
          { folder, exercise: slug },
          'another delivery of this exercise is being synced; waiting',
        );
        options.onStep?.('waiting');
      },
    })
    .catch(async (error: unknown) => {
      pictures.abort();
      if (run.dryRun || !signal?.aborted) await dropStaging(run);
      throw error;
    });
}

/** Turns what staging and syncing came to into the ingest's outcome, reported when it is final. */
async function concludeStaged(run: IngestRun, result: IngestResult, staged: Staged): Promise<IngestResult> {
  if (staged.outcome === 'refused') return refuseDelivery(result, staged.reasons, run.report);
  if (staged.outcome === 'deferred') {
    await dropStaging(run);
    return defer(result, staged.files, run.options.logger);
  }
  if (staged.outcome === 'dry-run') {
    await dropStaging(run);
    return { ...result, status: 'dry-run' };
  }
  const { synced } = staged;
  const done: IngestResult = {
    ...result,
    status: 'done',
    uploaded: synced.uploaded,
    skipped: synced.skipped,
    deleted: synced.deleted,
    bytesUploaded: synced.bytesUploaded,
    fingerprint: synced.fingerprint,
  };
  run.options.logger?.info(
    {
      folder: run.folder,
      exercise: done.exercise,
      uploaded: done.uploaded.length,
      skipped: done.skipped.length,
    },
    'delivery ingested',
  );
  if (run.entry?.state === 'done') return recordRepeatedDone(run, done);
  return reportOutcome(done, run.report);
}

/**
 * This very content was reported done before, and the sync found the bucket as it should be (or
 * repaired it): the team was told already; a second report (or a second move) would be a second
 * "done". The journal keeps the newer result.
 */
async function recordRepeatedDone(run: IngestRun, result: IngestResult): Promise<IngestResult> {
  const repeated: IngestResult = { ...result, repeated: true };
  const { report } = run;
  await report.journal.put({
    version: 1,
    deliveryId: report.deliveryId,
    folder: run.folder,
    signature: report.signature,
    state: 'done',
    exercise: repeated.exercise,
    result: repeated,
  });
  await dropStaging(run);
  return repeated;
}

function dropStaging(run: IngestRun): Promise<void> {
  return rm(run.report.stagingRoot, { recursive: true, force: true });
}

function stillCopying(paths: readonly string[]): RefusalReason[] {
  return paths.map((file) => refusal('stillCopying', {}, file));
}

function defer(result: IngestResult, files: readonly string[], logger?: Pick<Logger, 'info'>): IngestResult {
  logger?.info({ folder: result.delivery, files }, 'delivery still changing; deferred');
  return { ...result, status: 'deferred', rejected: stillCopying(files) };
}
