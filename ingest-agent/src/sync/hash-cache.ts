import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { hashFile } from './hash-file.js';

/** Default file name under DATA_DIR. */
export const HASH_CACHE_FILE = 'hash-cache.json';

/** Entries kept per section; the least recently used go first, so the file stays small on a NAS. */
const MAX_ENTRIES = 50_000;

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

const localEntrySchema = z.object({
  size: z.number().int().nonnegative(),
  mtimeMs: z.number(),
  sha256: sha256Schema,
  usedAt: z.number(),
});

const remoteEntrySchema = z.object({
  size: z.number().int().nonnegative(),
  etag: z.string(),
  sha256: sha256Schema,
  usedAt: z.number(),
});

const cacheFileSchema = z.object({
  version: z.literal(1),
  local: z.record(z.string(), localEntrySchema),
  remote: z.record(z.string(), remoteEntrySchema),
});

type CacheFile = z.infer<typeof cacheFileSchema>;

export interface FileStat {
  size: number;
  mtimeMs: number;
}

export interface HashCacheStats {
  /** Hashes answered from the cache without reading the file. */
  hits: number;
  /** Files that had to be read and hashed. */
  misses: number;
}

export interface HashCacheOptions {
  /** File name inside the data directory; default {@link HASH_CACHE_FILE}. */
  fileName?: string;
  /** Called when an unreadable cache file is discarded (it is only a cache, so the sync goes on). */
  onDiscard?: (reason: string) => void;
}

function stripQuotes(etag: string): string {
  return etag.replaceAll('"', '');
}

function evictLeastRecentlyUsed<T extends { usedAt: number }>(entries: Record<string, T>): Record<string, T> {
  const all = Object.entries(entries);
  if (all.length <= MAX_ENTRIES) return entries;
  all.sort((a, b) => b[1].usedAt - a[1].usedAt);
  return Object.fromEntries(all.slice(0, MAX_ENTRIES));
}

/** Only `HashCache.load` holds this, so a cache is never built without its file read. */
const LOADING = Symbol('HashCache.load');

/**
 * Remembers file hashes so an unchanged bundle is never re-read: a local file's sha256 is reused
 * while its absolute path, size and mtime are unchanged. It also remembers which sha256 the agent
 * uploaded under which ETag, so a re-sync can prove a remote object unchanged from one
 * ListObjectsV2 alone (ETag and size) instead of a HeadObject per object.
 */
export class HashCache {
  readonly path: string;
  readonly stats: HashCacheStats = { hits: 0, misses: 0 };
  #data: CacheFile;
  #dirty = false;
  #saving: Promise<void> = Promise.resolve();

  constructor(loading: typeof LOADING, path: string, data: CacheFile) {
    if (loading !== LOADING) throw new TypeError('a HashCache comes from HashCache.load');
    this.path = path;
    this.#data = data;
  }

  /** Opens the cache in `dataDir`; a missing or corrupt file starts an empty cache. */
  static async load(dataDir: string, options: HashCacheOptions = {}): Promise<HashCache> {
    const path = resolve(dataDir, options.fileName ?? HASH_CACHE_FILE);
    const empty: CacheFile = { version: 1, local: {}, remote: {} };
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        options.onDiscard?.(`${path} could not be read (${(error as Error).message}); starting empty`);
      }
      return new HashCache(LOADING, path, empty);
    }
    let parsed: ReturnType<typeof cacheFileSchema.safeParse>;
    try {
      parsed = cacheFileSchema.safeParse(JSON.parse(text));
    } catch {
      options.onDiscard?.(`${path} is not JSON; starting empty (it is rebuilt on the next save)`);
      return new HashCache(LOADING, path, empty);
    }
    if (!parsed.success) {
      options.onDiscard?.(`${path} has an unknown layout; starting empty (it is rebuilt on the next save)`);
      return new HashCache(LOADING, path, empty);
    }
    return new HashCache(LOADING, path, parsed.data);
  }

  /** The file's sha256, from the cache when path, size and mtime match, else read and remembered. */
  async sha256(
    absolutePath: string,
    stat: FileStat,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<string> {
    const key = resolve(absolutePath);
    const cached = this.#data.local[key];
    if (cached !== undefined && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) {
      this.stats.hits += 1;
      cached.usedAt = Date.now();
      this.#dirty = true;
      return cached.sha256;
    }
    this.stats.misses += 1;
    const sha256 = await hashFile(key, options);
    this.#data.local[key] = { size: stat.size, mtimeMs: stat.mtimeMs, sha256, usedAt: Date.now() };
    this.#dirty = true;
    return sha256;
  }

  /** The sha256 the agent stored on `bucket/key`, if the object still has the size and ETag it had then. */
  remoteSha256(bucket: string, key: string, size: number, etag: string): string | undefined {
    const entry = this.#data.remote[`${bucket}/${key}`];
    if (entry === undefined || entry.size !== size || entry.etag !== stripQuotes(etag)) return undefined;
    entry.usedAt = Date.now();
    return entry.sha256;
  }

  /** Records what HeadObject showed for `bucket/key` (after an upload or a metadata read). */
  rememberRemote(bucket: string, key: string, object: { size: number; etag: string; sha256: string }): void {
    this.#data.remote[`${bucket}/${key}`] = {
      size: object.size,
      etag: stripQuotes(object.etag),
      sha256: object.sha256,
      usedAt: Date.now(),
    };
    this.#dirty = true;
  }

  forgetRemote(bucket: string, key: string): void {
    if (delete this.#data.remote[`${bucket}/${key}`]) this.#dirty = true;
  }

  /**
   * Writes the cache if it changed: to a unique temp file, flushed, then renamed over the old one,
   * so a crash or a concurrent writer never leaves a half-written file behind.
   */
  save(): Promise<void> {
    // A failed earlier write must not block later ones; its caller already saw the error.
    this.#saving = this.#saving.catch(() => undefined).then(() => this.#writeNow());
    return this.#saving;
  }

  async #writeNow(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#data.local = evictLeastRecentlyUsed(this.#data.local);
    this.#data.remote = evictLeastRecentlyUsed(this.#data.remote);
    const directory = dirname(this.path);
    const temp = join(
      directory,
      `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    await mkdir(directory, { recursive: true });
    try {
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(JSON.stringify(this.#data));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
    } catch (error) {
      this.#dirty = true;
      await rm(temp, { force: true });
      throw error;
    }
  }
}
