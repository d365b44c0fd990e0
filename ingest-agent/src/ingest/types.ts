import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@exercise-pipeline/shared';
import type { RefusalReason } from '../plan/refusal.js';
import type { QcFinding } from '../qc/findings.js';
import type { AgentConfig } from '../rules/agent-config.js';
import type { HashCache } from '../sync/hash-cache.js';
import type { SyncBundleOptions, SyncProgress } from '../sync/sync-bundle.js';
import type { ExerciseLocks } from './exercise-locks.js';

/**
 * - `done`: the bundle is in the bucket (possibly unchanged) and the team was told.
 * - `refused`: the delivery has problems the team must fix; nothing was uploaded.
 * - `deferred`: files were still being copied; nothing was uploaded, try again once they settle.
 * - `dry-run`: everything was checked and staged, nothing uploaded or moved.
 */
export type IngestStatus = 'done' | 'refused' | 'deferred' | 'dry-run';

export interface RenamedFile {
  /** Delivered file, relative to the delivery folder. */
  from: string;
  /** Bundle key relative to the exercise prefix. */
  to: string;
}

export interface IngestResult {
  /** The delivery folder as it was found (absolute). */
  delivery: string;
  exercise: string | null;
  status: IngestStatus;
  renamed: RenamedFile[];
  /** Framing voice-overs cut out of framing videos. */
  extracted: RenamedFile[];
  /** Videos re-encoded by `normalize: true`. */
  transcoded: string[];
  /** Junk left out. */
  ignored: string[];
  /** Every full S3 key of the bundle (for a dry run: what the bucket would hold). */
  bundle: string[];
  /** Full S3 keys uploaded by this run (media first, manifest last). */
  uploaded: string[];
  /** Full S3 keys already in the bucket with the same content. */
  skipped: string[];
  deleted: string[];
  bytesUploaded: number;
  /** Why the delivery was refused or deferred; empty when done. */
  rejected: RefusalReason[];
  /** Accepted, but worth fixing (videos that differ from the rest). */
  warnings: RefusalReason[];
  /**
   * What the picture and sound check found (black or frozen stretches, silent or clipped
   * voice-overs…); those the config makes refusals are in `rejected` as well. Absent from results
   * journalled before the check existed.
   */
  findings?: QcFinding[];
  fingerprint: string | null;
  /** Where the delivery folder went (`processed/…`, `rejected/…`); null when it stayed. */
  movedTo: string | null;
  /** Path of the `_REPORT.txt` written for the team; null when none was written. */
  report: string | null;
  /** True when this exact content was already handled and the stored outcome is returned. */
  repeated: boolean;
}

export function emptyResult(delivery: string, exercise: string | null): IngestResult {
  return {
    delivery,
    exercise,
    status: 'refused',
    renamed: [],
    extracted: [],
    transcoded: [],
    ignored: [],
    bundle: [],
    uploaded: [],
    skipped: [],
    deleted: [],
    bytesUploaded: 0,
    rejected: [],
    warnings: [],
    findings: [],
    fingerprint: null,
    movedTo: null,
    report: null,
    repeated: false,
  };
}

/** Steps of an ingest, for progress displays. */
export type IngestStep =
  | 'planning'
  | 'probing'
  | 'settling'
  /** Another delivery of the same exercise is being staged or synced; this one waits its turn. */
  | 'waiting'
  | 'staging'
  | 'uploading'
  | 'reporting';

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
   * Delete objects under the exercise's prefix that the staged bundle does not have (a variant
   * the team dropped); default false: the bucket only ever gains or replaces objects.
   */
  prune?: boolean;
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
  /** One delivery per exercise at a time; default: the locks shared by every ingest in the process. */
  locks?: ExerciseLocks;
  onProgress?: (progress: SyncProgress) => void;
  onStep?: (step: IngestStep) => void;
  signal?: AbortSignal;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn'>;
}
