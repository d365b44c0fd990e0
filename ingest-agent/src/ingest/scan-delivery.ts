import { constants, type Dirent } from 'node:fs';
import { access, lstat, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeliveredFile } from '../plan/plan-renames.js';
import { type RefusalReason, refusal } from '../plan/refusal.js';

/** The agent's own note to the team inside a delivery; never part of the delivery itself. */
export const REPORT_FILE_NAME = '_REPORT.txt';

export interface ScannedFile extends DeliveredFile {
  /** POSIX separators. */
  relativePath: string;
  mtimeMs: number;
}

export interface DeliveryScan {
  /** Readable regular files, sorted by path. */
  files: ScannedFile[];
  /** Entries the agent cannot read (permissions, broken links, sockets …), each a refusal. */
  unreadable: RefusalReason[];
}

function unreadable(path: string, why: string): RefusalReason {
  return refusal('unreadableFile', { detail: why }, path);
}

async function canRead(path: string): Promise<string | null> {
  try {
    await access(path, constants.R_OK);
    // access() says yes to root even without read permission on some shares; opening is the truth.
    const handle = await open(path, 'r');
    await handle.close();
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'unknown error';
  }
}

async function walk(root: string, relative: string, scan: DeliveryScan): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(root, relative), { withFileTypes: true });
  } catch (error) {
    if (relative === '') throw error;
    scan.unreadable.push(unreadable(`${relative}/`, (error as NodeJS.ErrnoException).code ?? 'error'));
    return;
  }
  for (const entry of entries) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (relative === '' && entry.name === REPORT_FILE_NAME) continue;
    const absolute = join(root, path);
    if (entry.isDirectory()) {
      await walk(root, path, scan);
      continue;
    }
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      // Follows links: a link to a real file is delivered as that file.
      info = await stat(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const isLink = await lstat(absolute).then(
        (link) => link.isSymbolicLink(),
        () => false,
      );
      scan.unreadable.push(
        unreadable(path, isLink ? 'it is a link to a file that does not exist' : (code ?? 'error')),
      );
      continue;
    }
    if (info.isDirectory()) {
      await walk(root, path, scan);
      continue;
    }
    if (!info.isFile()) {
      scan.unreadable.push(unreadable(path, 'it is not a regular file'));
      continue;
    }
    const problem = await canRead(absolute);
    if (problem !== null) {
      scan.unreadable.push(unreadable(path, problem === 'EACCES' ? 'permission denied' : problem));
      continue;
    }
    scan.files.push({ relativePath: path, size: info.size, mtimeMs: info.mtimeMs });
  }
}

/**
 * Lists a delivery folder: every file with its size and modification time (to notice a copy still
 * in progress), and every entry that cannot be read. The agent's own `_REPORT.txt` is skipped.
 */
export async function scanDelivery(folder: string): Promise<DeliveryScan> {
  const scan: DeliveryScan = { files: [], unreadable: [] };
  await walk(folder, '', scan);
  scan.files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
  return scan;
}

/** Files whose size or modification time differ between two scans, or that appeared or vanished. */
export function changedFiles(before: DeliveryScan, after: DeliveryScan): string[] {
  const earlier = new Map(before.files.map((file) => [file.relativePath, file]));
  const changed = new Set<string>();
  for (const file of after.files) {
    const old = earlier.get(file.relativePath);
    if (old === undefined || old.size !== file.size || old.mtimeMs !== file.mtimeMs)
      changed.add(file.relativePath);
    earlier.delete(file.relativePath);
  }
  for (const path of earlier.keys()) changed.add(path);
  return [...changed].sort();
}
