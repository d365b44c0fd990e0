import { access, constants } from 'node:fs/promises';
import { PipelineError } from '@exercise-pipeline/shared';
import { nearestExistingPath } from './check-free-space.js';

/** What each file system error means for the agent's own storage, and what to do about it. */
const CAUSES: Readonly<Record<string, { problem: string; fix: string }>> = {
  EROFS: {
    problem: 'is on a read-only file system',
    fix: 'mount it read-write, or point DATA_DIR at a writable folder',
  },
  EACCES: {
    problem: 'may not be written by the agent (permission denied)',
    fix: "give the agent's user write access, or point DATA_DIR at a folder it owns",
  },
  EPERM: {
    problem: 'may not be written by the agent (operation not permitted)',
    fix: "give the agent's user write access, or point DATA_DIR at a folder it owns",
  },
  ENOSPC: {
    problem: 'has no space left (the disk is full)',
    fix: 'free space on that disk, or point DATA_DIR at a larger one',
  },
  EDQUOT: {
    problem: "is over the user's disk quota",
    fix: 'raise the quota, or point DATA_DIR at another disk',
  },
  ENOENT: {
    problem: 'does not exist',
    fix: 'create it, or point DATA_DIR at an existing folder',
  },
  ENOTDIR: {
    problem: 'is not a folder (a file is in the way)',
    fix: 'remove the file, or point DATA_DIR elsewhere',
  },
  EIO: { problem: 'cannot be read or written (I/O error)', fix: 'check the disk' },
};

/**
 * The agent's own storage (DATA_DIR: staging, journal, caches) failed. Names the path and the real
 * cause — read-only, permission, full, missing — instead of Node's bare `ENOENT … mkdir`.
 * `code` LOCAL_STORAGE_FAILED; `errno` keeps the file system's code.
 */
export class LocalStorageError extends PipelineError {
  readonly path: string;
  readonly errno: string;

  constructor(path: string, errno: string, what: string, cause?: unknown) {
    const known = CAUSES[errno];
    super(
      known === undefined
        ? `cannot ${what}: ${path} failed with ${errno}`
        : `cannot ${what}: ${path} ${known.problem} (${errno}); ${known.fix}`,
      { code: 'LOCAL_STORAGE_FAILED', ...(cause === undefined ? {} : { cause }) },
    );
    this.path = path;
    this.errno = errno;
  }
}

/**
 * Turns a failed write under DATA_DIR into a LocalStorageError naming the path that is really at
 * fault. A `mkdir -p` below a read-only or foreign folder reports ENOENT in some Node versions; the
 * nearest folder that exists is then asked whether it may be written, and its answer (EROFS,
 * EACCES) is the cause that gets named.
 */
export async function describeLocalFailure(
  path: string,
  error: unknown,
  what: string,
): Promise<LocalStorageError> {
  if (error instanceof LocalStorageError) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code ?? 'EUNKNOWN';
  const failedPath = (error as NodeJS.ErrnoException | undefined)?.path ?? path;
  if (errno === 'ENOENT') {
    const existing = await nearestExistingPath(failedPath);
    const denied = await access(existing, constants.W_OK).then(
      () => undefined,
      (probe: NodeJS.ErrnoException) => probe.code,
    );
    if (denied !== undefined) return new LocalStorageError(existing, denied, what, error);
  }
  return new LocalStorageError(failedPath, errno, what, error);
}
