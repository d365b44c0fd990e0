import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ManifestInvalidError } from '@exercise-pipeline/shared';
import type { BundleObject, BundleSource } from './bundle-source.js';
import { BundleFileError } from './errors.js';

/** A convention bundle in a local directory (`manifest.json`, `*-video-{n}.mp4`, `audio/{lang}/…`). */
export class LocalBundleSource implements BundleSource {
  readonly root: string;

  constructor(dir: string) {
    this.root = path.resolve(dir);
  }

  async list(): Promise<BundleObject[]> {
    const entries = await readdir(this.root, { recursive: true, withFileTypes: true }).catch(
      (error: unknown) => {
        throw new BundleFileError(
          this.root,
          'cannot be read as a bundle directory',
          'pass a convention bundle dir',
          {
            cause: error,
          },
        );
      },
    );
    const files = entries.filter((entry) => entry.isFile() && !entry.name.startsWith('.'));
    const objects = await Promise.all(
      files.map(async (entry) => {
        const absolute = path.join(entry.parentPath, entry.name);
        const info = await stat(absolute, { bigint: true });
        const key = path.relative(this.root, absolute).split(path.sep).join('/');
        return { key, size: Number(info.size), etag: localEtag(info.size, info.mtimeNs) };
      }),
    );
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async readManifest(): Promise<string> {
    const file = this.describe('manifest.json');
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if (isNotFound(error)) {
        throw new ManifestInvalidError(
          [{ field: '(root)', message: 'is missing: a bundle needs manifest.json at its root' }],
          file,
        );
      }
      throw new BundleFileError(file, 'cannot be read', 'check the file permissions', { cause: error });
    }
  }

  async localPath(relativeKey: string): Promise<string> {
    const file = this.describe(relativeKey);
    const info = await stat(file).catch((error: unknown) => {
      const problem = isNotFound(error) ? 'is missing' : 'cannot be read';
      throw new BundleFileError(file, problem, 'restore the file or re-run the ingest', { cause: error });
    });
    if (!info.isFile())
      throw new BundleFileError(file, 'is not a regular file', 'replace it with the media file');
    return file;
  }

  describe(relativeKey: string): string {
    return path.join(this.root, ...safeSegments(relativeKey));
  }
}

/**
 * Keys come from the bundle listing and the planner, but a key is still checked before it becomes a
 * path so no caller can make the source read outside its directory.
 */
function safeSegments(relativeKey: string): string[] {
  const segments = relativeKey.split('/');
  const unsafe =
    relativeKey.includes('\\') ||
    relativeKey.includes('\0') ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..');
  if (unsafe) {
    throw new BundleFileError(
      JSON.stringify(relativeKey),
      'is not a key inside the bundle',
      'use a relative key such as "audio/ro/intro-vo-1.mp3"',
    );
  }
  return segments;
}

/**
 * Hashing every file on each render would cost more than the render's probes; size plus
 * nanosecond mtime changes whenever a file is replaced, which is all the probe cache needs.
 */
function localEtag(size: bigint, mtimeNs: bigint): string {
  return `local-${size.toString(16)}-${mtimeNs.toString(16)}`;
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}
