import type { IncompleteFile } from './check-delivery.js';
import type { FileState } from './snapshot-delivery.js';

/** The part of an ingest's result the watcher acts on; the rest travels along in events. */
export interface IngestReport {
  /** `deferred`: files were still being copied; `failed`: try again later. */
  status: 'done' | 'refused' | 'deferred' | 'failed';
  /** Where the ingest moved the folder (`processed/…`, `rejected/…`); absent or null when it stayed. */
  movedTo?: string | null;
}

/** What the watcher hands to `ingest` once a delivery has settled. */
export interface IngestRequest {
  /** The delivery folder's name in the drop dir. */
  delivery: string;
  /** Absolute path of the delivery folder. */
  folder: string;
  /** Every file that is part of the delivery (junk and the report left out), as checked. */
  files: readonly FileState[];
  /** snapshotSignature(files). */
  signature: string;
  /** Aborted when the watcher is stopped and the grace period has run out. */
  signal: AbortSignal;
}

/** The watcher's state, for heartbeat lines and the status file. */
export interface WatcherStatus {
  dropDir: string;
  /** `native`, `scan-poll`, `chokidar-native`, `chokidar-poll`. */
  mode: string | undefined;
  /** Running, and the drop dir is there to be watched. */
  watching: boolean;
  dropDirAvailable: boolean;
  /** Why the drop dir is not available. */
  problem?: string;
  /** ISO time of the last complete walk of the drop dir (poll scans, native rescans); null before one. */
  lastScanAt: string | null;
  /** Deliveries by phase (`waiting`, `checking`, `ingesting`, `idle` …). */
  deliveries: Record<string, number>;
}

interface DeliveryRef {
  delivery: string;
  folder: string;
}

/** Typed events of DeliveryWatcher (`watcher.on('delivery:settled', …)`). */
export interface WatchEvents<R extends IngestReport = IngestReport> {
  /** The initial scan is done; `deliveries` already lie in the drop dir. */
  'watcher:ready': [{ dropDir: string; mode: string; deliveries: number }];
  /** Something went wrong outside any one delivery's result (watching, asking for a prior verdict). */
  'watcher:error': [{ error: Error; delivery?: string }];
  'watcher:stopped': [{ unfinished: string[] }];
  /** The drop dir went away or came back (once per change). */
  'watcher:drop-dir': [{ dropDir: string; available: boolean; problem?: string }];
  /** The watcher changed how it watches (native watches refused → polling). */
  'watcher:mode': [{ dropDir: string; mode: string; reason: string }];
  /** Every `heartbeatSeconds`: what the watcher is doing. */
  'watcher:heartbeat': [WatcherStatus];
  /** A delivery folder appeared (or existed at start). */
  'delivery:seen': [DeliveryRef];
  /** Changes are arriving; the quiet period runs from the last one. */
  'delivery:settling': [DeliveryRef & { settleSeconds: number }];
  /** Quiet, stable and every media file probes complete: it is queued for ingest. */
  'delivery:settled': [DeliveryRef & { files: readonly FileState[]; signature: string }];
  /**
   * Quiet but not complete (a file does not probe, or the folder is empty): waits for a change, or
   * for `refuseInSeconds` (absent: forever, as for an empty folder).
   */
  'delivery:incomplete': [DeliveryRef & { problems: readonly IncompleteFile[]; refuseInSeconds?: number }];
  /** Stayed incomplete with the same content for the bounded wait: handed to the ingest to be refused. */
  'delivery:overdue': [DeliveryRef & { problems: readonly IncompleteFile[]; waitedSeconds: number }];
  /** Settled to exactly the content that was ingested or refused before: nothing to do. */
  'delivery:unchanged': [DeliveryRef & { status: 'done' | 'refused' }];
  'delivery:ingested': [DeliveryRef & { result: R; movedTo: string | null }];
  'delivery:refused': [DeliveryRef & { result: R; movedTo: string | null }];
  /** The ingest threw or failed; it is tried again after `retryInSeconds` (sooner if the folder changes). */
  'delivery:failed': [DeliveryRef & { error?: Error; result?: R; retryInSeconds: number }];
  /** The folder is gone from the drop dir (moved away or deleted). */
  'delivery:removed': [DeliveryRef];
}
