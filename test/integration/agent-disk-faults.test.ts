import { closeSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAgentConfig } from '@exercise-pipeline/ingest-agent/cli';
import { ingestDelivery } from '@exercise-pipeline/ingest-agent/ingest';
import { DiskSpaceError, STAGING_RESERVE_BYTES } from '@exercise-pipeline/ingest-agent/stage';
import { generateDelivery } from '../fixtures/index.js';
import { listKeys, runAgent, useAgentWorld } from './agent-helpers.js';
import { canMount, mountTmpfs } from './agent-tmpfs.js';

const world = useAgentWorld('agent-disk-faults');
const MiB = 1024 * 1024;

/** Every file below `dir`, relative. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

/** Writes zeros into `file` until the file system is full (what a full disk looks like). */
function fillUp(file: string): void {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(256 * 1024);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

async function deliverySize(dir: string): Promise<number> {
  let total = 0;
  for (const file of await filesBelow(dir)) total += (await stat(join(dir, file))).size;
  return total;
}

describe.skipIf(!canMount())('disk faults under DATA_DIR (a real tmpfs)', () => {
  it('refuses to stage when DATA_DIR lacks the space, naming the path and the bytes needed', async () => {
    const mount = await mountTmpfs(join(world.root, 'small'), { sizeBytes: 4 * MiB });
    try {
      const dataDir = join(mount.path, 'data');
      const { dir } = await generateDelivery(join(world.root, 'drop-small'), {
        folderName: '700 Pod Lateral',
        cacheDir: world.cacheDir,
      });
      const run = await runAgent(['ingest', dir, '--json'], world.env({ DATA_DIR: dataDir }));
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      const match =
        /^error DISK_SPACE_SHORT: not enough free space to stage "700 Pod Lateral": (\S+) needs (\d+) bytes .*, (\d+) bytes .* are free; free space on that disk or point DATA_DIR at a larger one$/.exec(
          lines[0] ?? '',
        );
      expect(match, run.stderr).not.toBeNull();
      expect(match?.[1]).toContain(dataDir);
      const needed = Number(match?.[2]);
      const free = Number(match?.[3]);
      // The delivery is on another file system: its files would be copied, not linked.
      expect(needed).toBeGreaterThanOrEqual(STAGING_RESERVE_BYTES + (await deliverySize(dir)));
      expect(free).toBeLessThan(needed);
      expect(await listKeys(world.clients.s3, world.bucket)).toEqual([]);
      expect(await filesBelow(dataDir)).toEqual([]);
    } finally {
      await mount.unmount();
    }
  });

  it('leaves manifest.json unwritten when the disk fills after the media upload, and finishes once there is space', async () => {
    const mount = await mountTmpfs(join(world.root, 'filling'), { sizeBytes: 48 * MiB });
    const filler = join(mount.path, 'filler.bin');
    try {
      const dataDir = join(mount.path, 'data');
      const folderName = '701 Fandari Inainte';
      const { dir } = await generateDelivery(join(world.root, 'drop-filling'), {
        folderName,
        cacheDir: world.cacheDir,
      });
      const config = await readAgentConfig();
      const target = { ...world.ingestTarget(), dataDir };
      let filled = false;
      const failure = await ingestDelivery({
        folder: dir,
        config,
        ...target,
        settleCheckMs: 0,
        onProgress: (progress) => {
          // Every media file is in; only the manifest is left. Now the disk is full.
          if (filled || progress.filesDone !== progress.filesTotal - 1) return;
          filled = true;
          fillUp(filler);
        },
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(filled).toBe(true);
      expect(failure).toBeInstanceOf(DiskSpaceError);
      expect(String((failure as Error).message)).toContain(dataDir);
      expect(String((failure as Error).message)).toMatch(
        /not enough free space to report "701 Fandari Inainte"/,
      );
      const keys = await listKeys(world.clients.s3, world.bucket, 'fandari-inainte/');
      expect(keys).toHaveLength(10);
      expect(keys).not.toContain('fandari-inainte/manifest.json');
      expect(await stat(join(dir, '_REPORT.txt')).catch(() => null)).toBeNull();
      // No staging copy and no temp file stays behind on the full disk.
      const left = await filesBelow(dataDir);
      expect(left.filter((file) => file.includes('staging/'))).toEqual([]);
      expect(left.filter((file) => file.endsWith('.tmp'))).toEqual([]);

      await rm(filler);
      const done = await ingestDelivery({ folder: dir, config, ...target, settleCheckMs: 0 });
      expect(done.status).toBe('done');
      expect(done.uploaded).toEqual(['fandari-inainte/manifest.json']);
      expect(await listKeys(world.clients.s3, world.bucket, 'fandari-inainte/')).toHaveLength(11);
    } finally {
      await rm(filler, { force: true });
      await mount.unmount();
    }
  });

  it('names a read-only DATA_DIR as read-only (not ENOENT) and a file in the way as such', async () => {
    const mount = await mountTmpfs(join(world.root, 'readonly'), { sizeBytes: MiB, readOnly: true });
    try {
      const { dir } = await generateDelivery(join(world.root, 'drop-readonly'), {
        folderName: '702 Ridicari',
        cacheDir: world.cacheDir,
      });
      const readOnly = await runAgent(
        ['ingest', dir],
        world.env({ DATA_DIR: join(mount.path, 'agent', 'data') }),
      );
      expect(readOnly.code).toBe(1);
      expect(readOnly.stderr.trim().split('\n')).toEqual([
        `error LOCAL_STORAGE_FAILED: cannot use DATA_DIR: ${mount.path} is on a read-only file system (EROFS); mount it read-write, or point DATA_DIR at a writable folder`,
      ]);

      const blocked = join(world.root, 'not-a-folder');
      await writeFile(blocked, 'a file where DATA_DIR should be');
      const inTheWay = await runAgent(['ingest', dir], world.env({ DATA_DIR: join(blocked, 'data') }));
      expect(inTheWay.code).toBe(1);
      expect(inTheWay.stderr).toMatch(
        /cannot use DATA_DIR: .*not-a-folder.* is not a folder \(a file is in the way\) \(ENOTDIR\)/,
      );
      expect(await listKeys(world.clients.s3, world.bucket, 'ridicari/')).toEqual([]);
      expect(await readFile(blocked, 'utf8')).toBe('a file where DATA_DIR should be');
    } finally {
      await mount.unmount();
    }
  });
});
