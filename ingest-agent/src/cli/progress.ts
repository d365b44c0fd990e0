import type { Logger } from '@exercise-pipeline/shared';
import type { IngestStep } from '../ingest/ingest-delivery.js';
import type { SyncProgress } from '../sync/sync-bundle.js';

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Seconds left at the average rate so far; Infinity before any byte moved. */
export function etaSeconds(progress: SyncProgress, elapsedMs: number): number {
  if (progress.bytesDone <= 0 || elapsedMs <= 0) return Number.POSITIVE_INFINITY;
  const rate = progress.bytesDone / elapsedMs;
  return (progress.bytesTotal - progress.bytesDone) / rate / 1000;
}

/** One progress line: `uploading 3/11 files  1.2/4.5 MB  ETA 12s`. */
export function formatProgress(progress: SyncProgress, elapsedMs: number): string {
  return `uploading ${progress.filesDone}/${progress.filesTotal} files  ${megabytes(progress.bytesDone)}/${megabytes(progress.bytesTotal)}  ETA ${duration(etaSeconds(progress, elapsedMs))}`;
}

export interface ProgressReporter {
  step(step: IngestStep): void;
  progress(progress: SyncProgress): void;
  /** Ends the live line, if any. */
  done(): void;
}

/**
 * On a terminal: one line rewritten in place (steps, bytes, files, ETA). Otherwise: structured log
 * lines, at most one per `intervalMs` plus one per finished file, so a log collector is not flooded.
 */
export function createProgressReporter(
  stream: NodeJS.WritableStream,
  logger: Pick<Logger, 'info'>,
  intervalMs = 1000,
): ProgressReporter {
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  let started = 0;
  let lastLog = 0;
  let lastFiles = -1;
  let live = false;
  const write = (line: string) => {
    stream.write(`\r\x1b[2K${line}`);
    live = true;
  };
  return {
    step(step) {
      if (step === 'uploading') started = Date.now();
      if (tty) write(`${step}…`);
      else logger.info({ step }, `ingest step: ${step}`);
    },
    progress(progress) {
      const elapsed = Date.now() - (started || Date.now());
      if (tty) {
        write(formatProgress(progress, elapsed));
        return;
      }
      const now = Date.now();
      if (progress.filesDone === lastFiles && now - lastLog < intervalMs) return;
      lastFiles = progress.filesDone;
      lastLog = now;
      const eta = etaSeconds(progress, elapsed);
      logger.info(
        { ...progress, ...(Number.isFinite(eta) ? { etaSeconds: Math.round(eta) } : {}) },
        'upload progress',
      );
    },
    done() {
      if (live) stream.write('\r\x1b[2K');
      live = false;
    },
  };
}
