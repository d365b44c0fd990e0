import { moveDelivery } from '../report/tell-team.js';
import type { OutcomeMemory } from './outcome-memory.js';
import type { IngestOutcome } from './settle-tracker.js';
import { snapshotDelivery, snapshotSignature } from './snapshot-delivery.js';
import type { IngestReport, IngestRequest } from './watch-events.js';

export interface IngestStepOptions<R extends IngestReport> {
  request: IngestRequest;
  ingest: (request: IngestRequest) => Promise<R>;
  memory: OutcomeMemory | undefined;
  /** Receives the POSIX path inside the delivery. */
  isIgnored: (relativePath: string) => boolean;
  /** Folder next to the delivery (`processed`, `rejected`) to move it into per outcome; undefined leaves it. */
  moveTo: { done?: string | undefined; refused?: string | undefined };
  /** Problems after the outcome is known (moving, remembering); they do not change the outcome. */
  onError: (error: unknown) => void;
}

export interface IngestStepResult<R extends IngestReport> {
  status: IngestOutcome;
  result?: R;
  error?: Error;
  /** Where the folder went (moved by the ingest or by this step); null when it stayed. */
  movedTo: string | null;
  /** The folder is no longer where it was delivered. */
  gone: boolean;
}

const STATUSES: ReadonlySet<string> = new Set(['done', 'refused', 'deferred', 'failed']);

/**
 * One ingest of a settled delivery and what follows from its outcome: move the folder to
 * processed/ or rejected/ as configured (unless the ingest did, or the folder changed meanwhile),
 * and remember the outcome of a folder that stays so the same content is not ingested again.
 */
export async function runIngestStep<R extends IngestReport>(
  options: IngestStepOptions<R>,
): Promise<IngestStepResult<R>> {
  const { request, memory } = options;
  let result: R;
  try {
    result = await options.ingest(request);
  } catch (error) {
    return { status: 'failed', error: asError(error), movedTo: null, gone: false };
  }
  if (!STATUSES.has(result.status)) {
    const error = new Error(
      `ingest of ${request.folder} returned status ${JSON.stringify(result.status)}; expected done, refused, deferred or failed`,
    );
    return { status: 'failed', error, result, movedTo: null, gone: false };
  }
  const status = result.status;
  if (status !== 'done' && status !== 'refused') return { status, result, movedTo: null, gone: false };

  let movedTo = result.movedTo ?? null;
  const now = await snapshotDelivery(request.folder, options.isIgnored).catch(() => undefined);
  let gone = now === undefined;
  const target = options.moveTo[status];
  if (!gone && movedTo === null && target !== undefined) {
    // A file added during the ingest was not part of it: moving would hide it from the next one.
    if (snapshotSignature(now ?? []) === request.signature) {
      try {
        movedTo = await moveDelivery(request.folder, target);
        gone = true;
      } catch (error) {
        options.onError(error);
      }
    }
  }
  try {
    if (gone) await memory?.delete(request.folder);
    else
      await memory?.set(request.folder, {
        status,
        signature: request.signature,
        at: new Date().toISOString(),
      });
  } catch (error) {
    options.onError(error);
  }
  return { status, result, movedTo, gone };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
