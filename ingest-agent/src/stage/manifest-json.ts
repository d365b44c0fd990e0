import { canonicalJson, type Manifest } from '@exercise-pipeline/shared';

/**
 * The bytes of a bundle's manifest.json: keys sorted at every depth, two-space indent, a final
 * newline, and nothing that varies between runs (no timestamps, no host). Equal manifests give equal
 * bytes, so the sync skips an unchanged manifest and a re-delivery does not look like a change.
 */
export function manifestJson(manifest: Manifest): string {
  // JSON.parse keeps the sorted insertion order of canonicalJson's output; only whitespace is added.
  return `${JSON.stringify(JSON.parse(canonicalJson(manifest)), null, 2)}\n`;
}
