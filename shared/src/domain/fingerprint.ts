import { sha256Hex } from './hash.js';

/** One object under an exercise's prefix as S3 lists it: full key, size and ETag. */
export interface FingerprintObject {
  key: string;
  size: number;
  etag: string;
}

/**
 * The bundle fingerprint: sha256 over `key\tsize\tetag` lines of EVERY object under the exercise's
 * prefix (full S3 keys, ETag without quotes), sorted by key.
 * The agent computes it after a sync and the consumer from its own listing; equal fingerprints mean
 * the bundle did not change, whatever order or number of events announced it.
 */
export function bundleFingerprint(objects: readonly FingerprintObject[]): string {
  const lines = objects
    .map((object) => `${object.key}\t${object.size}\t${object.etag.replaceAll('"', '')}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256Hex(lines.join('\n'));
}
