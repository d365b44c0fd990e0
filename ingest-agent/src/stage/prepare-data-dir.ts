import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeLocalFailure } from './local-storage-error.js';

/**
 * Makes sure DATA_DIR takes writes before a delivery is touched: creates it (and `staging/`) and
 * writes and removes a small probe file. A read-only, foreign or missing DATA_DIR fails here, with
 * the path and the real cause, instead of half-way through an ingest.
 */
export async function prepareDataDir(dataDir: string): Promise<void> {
  const root = resolve(dataDir);
  const staging = join(root, 'staging');
  const probe = join(staging, `.write-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(staging, { recursive: true });
    await writeFile(probe, 'ok');
  } catch (error) {
    throw await describeLocalFailure(staging, error, 'use DATA_DIR');
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}
