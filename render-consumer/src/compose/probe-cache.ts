import type { ProbeResult } from '@exercise-pipeline/shared';
import { type Loudness, LOUDNESS_KEY_SUFFIX } from './loudness.js';

/** What a render needs to know about one bundle file. */
export interface ClipFacts {
  /** For videos this includes the encoder setup (profile, level, SPS/PPS hash). */
  media: ProbeResult;
  /** Voice-overs of a loudness-normalised render: from the object's metadata, else measured. */
  loudness?: Loudness;
}

/** Probe results that outlive the process, so a CLI render of an unchanged bundle runs no ffprobe. */
export interface ProbeStore {
  /** The facts stored under `key`, or undefined when there are none (or they cannot be read). */
  read(key: string): Promise<ClipFacts | undefined>;
  write(key: string, facts: ClipFacts): Promise<void>;
}

export interface ProbeCacheOptions {
  /** Entries kept, least recently used dropped first; default 4096 (an entry is a few hundred bytes). */
  maxEntries?: number;
  /** Also keep results on disk (see directoryProbeStore), for processes that render once and exit. */
  store?: ProbeStore;
}

/**
 * Probe results by file version. The key should name the file and its content tag (see
 * `probeCacheKey`); a tag alone is not enough for local files, whose size+mtime tags can coincide
 * for different files copied with preserved times. A bundle's files rarely change while every
 * render probes them, so a long-running consumer probes each file version once. Concurrent
 * requests for one key share a single load; failures are not kept, so a file that was
 * mid-download or briefly unreadable is probed again next time.
 */
export class ProbeCache {
  readonly #entries = new Map<string, Promise<ClipFacts>>();
  readonly #maxEntries: number;
  readonly #store: ProbeStore | undefined;

  constructor(options: ProbeCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 4096;
    this.#store = options.store;
  }

  /** The facts stored under `key`, else the result of `load` (not stored when `key` is undefined). */
  probe(key: string | undefined, load: () => Promise<ClipFacts>): Promise<ClipFacts> {
    if (!key) return load();
    const cached = this.#entries.get(key);
    if (cached) {
      // Re-insert so Map order doubles as recency order.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const pending = this.#store ? this.#throughStore(this.#store, key, load) : load();
    this.#entries.set(key, pending);
    pending.catch(() => {
      if (this.#entries.get(key) === pending) this.#entries.delete(key);
    });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return pending;
  }

  async #throughStore(store: ProbeStore, key: string, load: () => Promise<ClipFacts>): Promise<ClipFacts> {
    const stored = await store.read(key);
    if (stored) return stored;
    const facts = await load();
    await store.write(key, facts);
    return facts;
  }

  get size(): number {
    return this.#entries.size;
  }
}

let processCache: ProbeCache | undefined;

/** The cache shared by every render of this process. */
export function sharedProbeCache(): ProbeCache {
  processCache ??= new ProbeCache();
  return processCache;
}

/**
 * `file` as messages name it (S3 key or path) plus its content tag; undefined when there is no tag.
 * With `withLoudness` the key is that of the facts including the loudness (a render with
 * normalisation off never pays for the measurement).
 */
export function probeCacheKey(
  file: string,
  etag: string | undefined,
  withLoudness = false,
): string | undefined {
  if (!etag) return undefined;
  return `${etag} ${file}${withLoudness ? LOUDNESS_KEY_SUFFIX : ''}`;
}
