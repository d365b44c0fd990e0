import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isProcessAlive } from '@exercise-pipeline/shared';

/** Where EnsureRender and the composer write renders until they are published. */
export function renderScratchDir(dataDir: string): string {
  return path.join(dataDir, 'tmp', 'renders');
}

export interface RenderScratch {
  /** Entries of an earlier run removed at start (0 when another live consumer shares DATA_DIR). */
  removed: number;
  /** Pids of other live consumers using the same DATA_DIR (their renders were left alone). */
  sharedWith: number[];
  /** Forgets this process as a user of the folder (at stop). */
  release(): Promise<void>;
}

/**
 * Takes the render scratch folder at start: a consumer killed mid-render leaves its partial render
 * behind, and nobody else would ever remove it. Every running consumer registers beside the folder;
 * the folder is emptied only when no other live consumer on this host shares DATA_DIR, so a second
 * consumer starting never deletes the first one's render in progress.
 */
export async function claimRenderScratch(dataDir: string): Promise<RenderScratch> {
  const scratch = renderScratchDir(dataDir);
  const owners = path.join(dataDir, 'tmp', 'consumers');
  await mkdir(owners, { recursive: true });
  const sharedWith: number[] = [];
  // One file per running service (not per process): two services in one process count as two.
  const ownName = `${process.pid}-${randomUUID().slice(0, 8)}.pid`;
  for (const name of await readdir(owners)) {
    const pid = Number(/^(\d+)(?:-[0-9a-f]+)?\.pid$/.exec(name)?.[1]);
    if (!Number.isInteger(pid)) continue;
    if (isProcessAlive(pid)) sharedWith.push(pid);
    else await rm(path.join(owners, name), { force: true });
  }
  let removed = 0;
  if (sharedWith.length === 0) {
    const entries = await readdir(scratch).catch(() => [] as string[]);
    for (const entry of entries) {
      await rm(path.join(scratch, entry), { recursive: true, force: true });
      removed += 1;
    }
  }
  const own = path.join(owners, ownName);
  await writeFile(own, String(process.pid));
  return {
    removed,
    sharedWith,
    release: () => rm(own, { force: true }),
  };
}
