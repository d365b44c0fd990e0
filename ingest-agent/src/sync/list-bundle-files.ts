import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type BundleFile, parseBundleKey } from '@exercise-pipeline/shared';
import { BundleLayoutError } from './errors.js';
import { MANIFEST_KEY } from './plan-sync.js';

export interface LocalBundleFile {
  /** Key relative to the exercise prefix, accepted by `parseBundleKey`. */
  relativeKey: string;
  /** Absolute path on disk. */
  path: string;
  size: number;
  mtimeMs: number;
  contentType: string;
}

/** The Content-Type each kind of bundle file is stored with (players and CDNs rely on it). */
export function contentTypeFor(file: BundleFile): string {
  switch (file.kind) {
    case 'manifest':
      return 'application/json';
    case 'video':
      return 'video/mp4';
    case 'voice-over':
      return 'audio/mpeg';
  }
}

async function walk(root: string, relative: string, into: string[], refused: string[]): Promise<void> {
  const entries: Dirent[] = await readdir(join(root, relative), { withFileTypes: true });
  for (const entry of entries) {
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) await walk(root, child, into, refused);
    else if (entry.isFile() || entry.isSymbolicLink()) into.push(child);
    else refused.push(child);
  }
}

/**
 * Lists a local bundle directory as bundle files. Every file must have a place in the bucket layout
 * (checked with `parseBundleKey`), so a stray file is refused up front rather than uploaded under a
 * key no consumer understands; the manifest must be present because it is the commit marker.
 */
export async function listBundleFiles(localDir: string): Promise<LocalBundleFile[]> {
  const root = resolve(localDir);
  const paths: string[] = [];
  const refused: string[] = [];
  try {
    await walk(root, '', paths, refused);
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    if (failure.code === 'ENOENT' && failure.path === root) {
      throw new BundleLayoutError(
        root,
        ['.'],
        'the bundle directory does not exist',
        'pass an existing directory',
      );
    }
    throw error;
  }
  const files: LocalBundleFile[] = [];
  for (const relativeKey of paths.sort()) {
    const parsed = parseBundleKey(relativeKey);
    if (parsed === null) {
      refused.push(relativeKey);
      continue;
    }
    const info = await stat(join(root, relativeKey));
    if (!info.isFile()) {
      refused.push(relativeKey);
      continue;
    }
    files.push({
      relativeKey,
      path: join(root, relativeKey),
      size: info.size,
      mtimeMs: info.mtimeMs,
      contentType: contentTypeFor(parsed),
    });
  }
  if (refused.length > 0) {
    throw new BundleLayoutError(
      root,
      refused.sort(),
      'files outside the bundle layout',
      'keep only manifest.json, {slot}-video-{n}.mp4 and audio/{lang}/{slot}-vo-{n}.mp3, then sync again',
    );
  }
  if (!files.some((file) => file.relativeKey === MANIFEST_KEY)) {
    throw new BundleLayoutError(
      root,
      [MANIFEST_KEY],
      'the manifest is missing',
      'add manifest.json (it is uploaded last and marks the bundle complete)',
    );
  }
  return files;
}
