import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { trackResource } from './resources.js';

export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

const safe = (label: string) => label.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/^-+|-+$/g, '');

/** A fresh directory under the OS temp dir, tracked until removed. */
export async function createTempDir(label = 'tmp'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), `exercise-pipeline-${safe(label)}-`));
  const tracked = trackResource('temp-dir', path, () => rm(path, { recursive: true, force: true }));
  return { path, remove: () => tracked.close() };
}

export interface UsedTempDir {
  /** The directory (inside a test or hook). */
  readonly path: string;
  /** A new empty directory inside it, removed with it: for a test that needs several. */
  fresh(label?: string): Promise<string>;
}

/**
 * Registers the hooks of a test file's temp dir: created in beforeAll and removed in afterAll, or
 * with `each: true` a new one for every test (beforeEach / afterEach).
 */
export function useTempDir(label = 'tmp', options: { each?: boolean } = {}): UsedTempDir {
  let dir: TempDir | undefined;
  const [before, after] = options.each ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    dir = await createTempDir(label);
  });
  after(async () => {
    await dir?.remove();
    dir = undefined;
  });
  const current = (): string => {
    if (dir === undefined)
      throw new Error(
        `useTempDir(): the directory is created in ${options.each ? 'beforeEach' : 'beforeAll'}`,
      );
    return dir.path;
  };
  return {
    get path() {
      return current();
    },
    fresh: (name = 'dir') => mkdtemp(join(current(), `${safe(name)}-`)),
  };
}
