import { stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PipelineError } from '@exercise-pipeline/shared';

/** Kept free under DATA_DIR beyond a staging copy: journal, hash cache, temp files. */
export const STAGING_RESERVE_BYTES = 16 * 1024 * 1024;
/** Must be free before a manifest goes live, for what follows it (journal entries, the report). */
export const REPORTING_RESERVE_BYTES = 1024 * 1024;

/** Not enough free space under DATA_DIR; `code` DISK_SPACE_SHORT. Nothing was written or uploaded. */
export class DiskSpaceError extends PipelineError {
  readonly path: string;
  readonly neededBytes: number;
  readonly freeBytes: number;

  constructor(path: string, what: string, neededBytes: number, freeBytes: number) {
    super(
      `not enough free space to ${what}: ${path} needs ${neededBytes} bytes (${megabytes(neededBytes)}), ` +
        `${freeBytes} bytes (${megabytes(freeBytes)}) are free; free space on that disk or point DATA_DIR at a larger one`,
      { code: 'DISK_SPACE_SHORT' },
    );
    this.path = path;
    this.neededBytes = neededBytes;
    this.freeBytes = freeBytes;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** The path itself, or the nearest of its parents that exists (DATA_DIR may not be created yet). */
export async function nearestExistingPath(path: string): Promise<string> {
  let current = path;
  for (;;) {
    const exists = await stat(current).then(
      () => true,
      () => false,
    );
    const parent = dirname(current);
    if (exists || parent === current) return current;
    current = parent;
  }
}

/** Bytes an unprivileged process may still write on the file system holding `path`. */
export async function freeBytesAt(path: string): Promise<number> {
  const info = await statfs(await nearestExistingPath(path));
  return Number(info.bavail) * Number(info.bsize);
}

/** Throws DiskSpaceError unless `neededBytes` are free where `path` is (or will be). */
export async function checkFreeSpace(path: string, neededBytes: number, what: string): Promise<void> {
  const free = await freeBytesAt(path);
  if (free < neededBytes) throw new DiskSpaceError(path, what, neededBytes, free);
}

export interface StagingEstimateInput {
  /** Delivered files by path inside the delivery, with their sizes. */
  sizes: ReadonlyMap<string, number>;
  /** Files staged as they are: hard links cost nothing on the same file system, a copy costs the file. */
  linked: readonly string[];
  /** Files ffmpeg writes a new version of (re-encoded videos, converted or extracted voice-overs). */
  encoded: readonly string[];
  /** Whether the delivery and DATA_DIR share a file system, so hard links are likely to work. */
  sameFileSystem: boolean;
}

/**
 * Pure: the most a staging copy can take. Links are free when the delivery shares DATA_DIR's file
 * system and cost a full copy otherwise; an encoded output is counted at its source's size (an
 * extracted voice-over is far smaller, a re-encoded video about the same), plus the reserve.
 */
export function estimateStagingBytes(input: StagingEstimateInput): number {
  const size = (file: string) => input.sizes.get(file) ?? 0;
  let bytes = STAGING_RESERVE_BYTES;
  if (!input.sameFileSystem) for (const file of input.linked) bytes += size(file);
  for (const file of input.encoded) bytes += size(file);
  return bytes;
}

/** Whether two paths (the second possibly not created yet) are on one file system. */
export async function sameFileSystem(a: string, b: string): Promise<boolean> {
  const [first, second] = await Promise.all([stat(a), stat(await nearestExistingPath(b))]);
  return first.dev === second.dev;
}
