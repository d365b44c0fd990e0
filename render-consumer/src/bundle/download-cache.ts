import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface DownloadCacheOptions {
  /** Folder of the cache, e.g. `{DATA_DIR}/cache/objects`. */
  dir: string;
  /** Size bound in bytes; least-recently-used files are evicted past it. Default 10 GiB. */
  maxBytes?: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  evicted: number;
}

/**
 * A content cache of S3 objects keyed by bucket, key and ETag: an object whose ETag is unchanged is
 * never downloaded twice. Files are written to a temp name and renamed, so concurrent renders (and
 * several processes sharing `DATA_DIR`) only ever see complete files. Recency is the file's mtime,
 * touched on every hit, so the LRU order survives restarts without an index file.
 */
export class DownloadCache {
  readonly dir: string;
  readonly maxBytes: number;
  readonly stats: CacheStats = { hits: 0, misses: 0, evicted: 0 };
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor(options: DownloadCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? 10 * 1024 ** 3;
  }

  /** The cache file of one object version. */
  pathFor(bucket: string, key: string, etag: string): string {
    const id = createHash('sha256').update(`${bucket}\n${key}\n${etag}`).digest('hex');
    const ext = path.extname(key).replace(/[^.a-z0-9]/gi, '');
    return path.join(this.dir, `${id}${ext}`);
  }

  /**
   * Returns a local path holding the object's bytes, calling `download` only on a miss. Concurrent
   * calls for the same object share one download.
   */
  async get(bucket: string, key: string, etag: string, download: () => Promise<Readable>): Promise<string> {
    const file = this.pathFor(bucket, key, etag);
    const running = this.#inFlight.get(file);
    if (running) return running;
    const work = this.#fetch(file, download).finally(() => this.#inFlight.delete(file));
    this.#inFlight.set(file, work);
    return work;
  }

  async #fetch(file: string, download: () => Promise<Readable>): Promise<string> {
    if (await touch(file)) {
      this.stats.hits += 1;
      return file;
    }
    this.stats.misses += 1;
    await mkdir(this.dir, { recursive: true });
    const temp = `${file}.${randomUUID()}.part`;
    try {
      await pipeline(await download(), createWriteStream(temp));
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await this.evict(file);
    return file;
  }

  /** Removes least-recently-used files until the cache fits its bound; never the file just added. */
  async evict(keep?: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    const entries: { file: string; size: number; used: number }[] = [];
    for (const name of names) {
      if (name.endsWith('.part')) continue;
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => null);
      if (info?.isFile()) entries.push({ file, size: info.size, used: info.mtimeMs });
    }
    let total = entries.reduce((sum, entry) => sum + entry.size, 0);
    entries.sort((a, b) => a.used - b.used);
    for (const entry of entries) {
      if (total <= this.maxBytes) break;
      if (entry.file === keep) continue;
      await rm(entry.file, { force: true });
      total -= entry.size;
      this.stats.evicted += 1;
    }
  }
}

async function touch(file: string): Promise<boolean> {
  const now = new Date();
  try {
    await utimes(file, now, now);
    return true;
  } catch {
    return false;
  }
}
