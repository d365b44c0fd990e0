import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** One file of a delivery as the completeness check sees it. */
export interface FileState {
  /** POSIX path inside the delivery folder. */
  path: string;
  size: number;
  mtimeMs: number;
  /**
   * Not a readable regular file: a link to nothing, a pipe, a socket or a device. Never opened (a
   * pipe would block whoever reads it); it keeps the delivery from settling, and the ingest refuses it.
   */
  special?: true;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function statOrSkip(
  file: string,
): Promise<{ size: number; mtimeMs: number; isFile: boolean } | undefined> {
  try {
    const info = await stat(file);
    return { size: info.size, mtimeMs: info.mtimeMs, isFile: info.isFile() };
  } catch (error) {
    // Deleted between readdir and stat: the second snapshot of the check will differ anyway.
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** A link to nothing, a pipe, a socket or a device, stamped by the entry itself (lstat). */
async function pushSpecial(root: string, relative: string, out: FileState[]): Promise<void> {
  const info = await lstat(path.join(root, relative)).catch(() => undefined);
  if (info !== undefined) out.push({ path: relative, size: -1, mtimeMs: info.mtimeMs, special: true });
}

async function walk(
  root: string,
  relativeDir: string,
  isIgnored: (relativePath: string) => boolean,
  out: FileState[],
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(path.join(root, relativeDir), { withFileTypes: true });
  } catch (error) {
    if (isMissing(error) && relativeDir !== '') return;
    throw error;
  }
  for (const entry of entries) {
    const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
    if (isIgnored(relative)) continue;
    if (entry.isDirectory()) {
      await walk(root, relative, isIgnored, out);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      // Symlinks count by their target; a link to a folder is not followed (no cycles).
      const info = await statOrSkip(path.join(root, relative));
      if (info?.isFile) out.push({ path: relative, size: info.size, mtimeMs: info.mtimeMs });
      else if (info === undefined && entry.isSymbolicLink()) await pushSpecial(root, relative, out);
    } else {
      await pushSpecial(root, relative, out);
    }
  }
}

/**
 * Size and mtime of every file of a delivery that is not ignored, sorted by path; undefined when
 * the folder itself is gone.
 * @param isIgnored receives the POSIX path inside the delivery (files and folders)
 */
export async function snapshotDelivery(
  folder: string,
  isIgnored: (relativePath: string) => boolean,
): Promise<FileState[] | undefined> {
  const files: FileState[] = [];
  try {
    await walk(folder, '', isIgnored, files);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * A short fingerprint of what a delivery holds (paths, sizes, mtimes): equal signatures mean
 * nothing was added, removed, rewritten or touched in between.
 */
export function snapshotSignature(files: readonly FileState[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.path}\0${file.size}\0${file.mtimeMs}\n`);
  return hash.digest('hex');
}

/** The first path (in sort order) that was added, removed or changed between two snapshots. */
export function firstDifference(
  before: readonly FileState[],
  after: readonly FileState[],
): string | undefined {
  const length = Math.max(before.length, after.length);
  for (let i = 0; i < length; i += 1) {
    const a = before[i];
    const b = after[i];
    if (a === undefined || b === undefined) return (a ?? b)?.path;
    if (a.path < b.path) return a.path;
    if (b.path < a.path) return b.path;
    if (a.size !== b.size || a.mtimeMs !== b.mtimeMs) return a.path;
  }
  return undefined;
}
