import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { trackResource } from './resources.js';

export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

/** A fresh directory under the OS temp dir, tracked until removed. */
export async function createTempDir(label = 'tmp'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), `exercise-pipeline-${label.replace(/[^a-zA-Z0-9-]+/g, '-')}-`));
  const tracked = trackResource('temp-dir', path, () => rm(path, { recursive: true, force: true }));
  return { path, remove: () => tracked.close() };
}

/** Creates the file's temp dir in beforeAll and removes it in afterAll. */
export function useTempDir(label = 'tmp'): { readonly path: string } {
  let dir: TempDir | undefined;
  beforeAll(async () => {
    dir = await createTempDir(label);
  });
  afterAll(async () => {
    await dir?.remove();
  });
  return {
    get path() {
      if (dir === undefined) throw new Error('useTempDir(): the directory is created in beforeAll');
      return dir.path;
    },
  };
}
