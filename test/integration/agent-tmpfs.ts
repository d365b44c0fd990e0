import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { trackResource } from '../harness/index.js';

export interface TmpfsMount {
  path: string;
  unmount(): Promise<void>;
}

/** Whether this process may mount file systems (root, as the CI and the test machines run). */
export function canMount(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Mounts a small tmpfs at `path` (created if needed): a real file system whose free space and
 * write permission the tests control — full, nearly full or read-only — without touching the
 * machine's disks. Tracked, so a test that leaves it mounted fails.
 */
export async function mountTmpfs(
  path: string,
  options: { sizeBytes: number; readOnly?: boolean },
): Promise<TmpfsMount> {
  await mkdir(path, { recursive: true });
  const flags = [`size=${options.sizeBytes}`, 'mode=0755', ...(options.readOnly ? ['ro'] : [])].join(',');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', flags, 'tmpfs', path], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    throw new Error(`cannot mount a tmpfs at ${path} (the disk tests need root): ${mounted.stderr.trim()}`);
  }
  const tracked = trackResource('mount', `tmpfs ${path}`, () => {
    // Lazy: a file a failed test left open must not keep the mount (and the test run) hanging.
    spawnSync('umount', ['-l', path]);
  });
  return { path, unmount: () => tracked.close() };
}
