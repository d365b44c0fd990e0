import type { RefusalReason } from '../plan/refusal.js';
import type { QcFinding } from '../qc/findings.js';

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
