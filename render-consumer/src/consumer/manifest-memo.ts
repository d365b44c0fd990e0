import type { Manifest } from '@exercise-pipeline/shared';

/**
 * Parsed manifests by exercise and the manifest object's ETag. Most messages of a change find the
 * exercise already current; with the manifest's ETag from the listing taken anyway, they then need
 * no second listing, download-cache lookup or manifest parse to know which previews to check. An
 * ETag names one content, so an entry never goes stale; the oldest are dropped past `maxEntries`.
 */
export class ManifestMemo {
  readonly #entries = new Map<string, Manifest>();
  readonly #maxEntries: number;

  /** `maxEntries` default 512 (an entry is one small manifest). */
  constructor(maxEntries = 512) {
    this.#maxEntries = Math.max(1, maxEntries);
  }

  get(slug: string, etag: string): Manifest | undefined {
    const key = memoKey(slug, etag);
    const manifest = this.#entries.get(key);
    if (manifest) {
      // Re-inserted so the Map's order is recency order.
      this.#entries.delete(key);
      this.#entries.set(key, manifest);
    }
    return manifest;
  }

  set(slug: string, etag: string, manifest: Manifest): void {
    if (etag === '') return;
    const key = memoKey(slug, etag);
    this.#entries.delete(key);
    this.#entries.set(key, manifest);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

function memoKey(slug: string, etag: string): string {
  return `${slug}\n${etag}`;
}
