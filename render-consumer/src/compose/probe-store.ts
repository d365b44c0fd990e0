import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LOUDNESS_KEY_SUFFIX } from './loudness.js';
import type { ClipFacts, ProbeStore } from './probe-cache.js';

/**
 * Bump whenever the composer starts relying on a ProbeResult field older entries lack (as it did
 * for the encoder setup): an old entry would otherwise pass as a file without that property.
 */
const STORE_VERSION = 1;

interface StoredEntry {
  version: number;
  key: string;
  facts: ClipFacts;
}

/**
 * One small JSON file per file version under `dir` (e.g. `$DATA_DIR/probe-cache`), named by a hash
 * of the cache key. Keys carry the content tag (size+mtime locally, the ETag in S3), so a changed
 * file is a new entry and stale ones are simply never read again; a few hundred bytes each, they
 * are not pruned. Unreadable or foreign files read as a miss, and a failed write only costs the
 * next render a probe, so neither fails a render.
 */
export function directoryProbeStore(dir: string): ProbeStore {
  const fileOf = (key: string) =>
    path.join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  return {
    async read(key) {
      const text = await readFile(fileOf(key), 'utf8').catch(() => undefined);
      return text === undefined ? undefined : parseEntry(text, key);
    },
    async write(key, facts) {
      const file = fileOf(key);
      // Written under a unique name and renamed, so a concurrent reader never sees half a file.
      const partial = `${file}.${randomUUID()}.partial`;
      const entry: StoredEntry = { version: STORE_VERSION, key, facts };
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(partial, JSON.stringify(entry));
        await rename(partial, file);
      } catch {
        await rm(partial, { force: true }).catch(() => {});
      }
    },
  };
}

function parseEntry(text: string, key: string): ClipFacts | undefined {
  let entry: Partial<StoredEntry>;
  try {
    entry = JSON.parse(text) as Partial<StoredEntry>;
  } catch {
    return undefined;
  }
  const media = entry.facts?.media;
  const loudness = entry.facts?.loudness;
  const usable =
    entry.version === STORE_VERSION &&
    entry.key === key &&
    typeof media?.formatName === 'string' &&
    typeof media.durationSeconds === 'number' &&
    (!key.endsWith(LOUDNESS_KEY_SUFFIX) ||
      (Number.isFinite(loudness?.integratedLufs) && Number.isFinite(loudness?.truePeakDbtp)));
  return usable ? entry.facts : undefined;
}
