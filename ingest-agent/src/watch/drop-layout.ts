import path from 'node:path';
import { REPORT_FILE_NAME as REPORT_FILE } from '../ingest/scan-delivery.js';
import { PROCESSED_DIR, REJECTED_DIR } from '../ingest/tell-team.js';
import { toPosixPath } from '../rules/is-junk.js';
import { compileJunkMatcher } from './compile-junk-matcher.js';

// processed/ and rejected/ (inside the drop dir) and the report the ingest leaves in a delivery
// are defined where the ingest writes them; the watcher must ignore exactly those.
export { PROCESSED_DIR, REJECTED_DIR } from '../ingest/tell-team.js';

/**
 * Media the completeness check probes with ffprobe: every container the default rules and
 * `allowedContainers` can accept, so a half-copied file of any of them holds the delivery back.
 */
export const MEDIA_EXTENSIONS: ReadonlySet<string> = new Set([
  'mp4',
  'mov',
  'm4v',
  'mkv',
  'avi',
  'mxf',
  'mp3',
  'wav',
  'm4a',
  'aac',
  'flac',
]);

export function isMediaFile(relativePath: string): boolean {
  const ext = path.extname(relativePath).slice(1).toLowerCase();
  return MEDIA_EXTENSIONS.has(ext);
}

/** A path inside the drop dir, split into the delivery (top-level folder) and the path inside it. */
export interface DropLocation {
  delivery: string;
  /** POSIX path inside the delivery; '' for the delivery folder itself. */
  relativePath: string;
}

/** Splits an absolute path under `dropDir`; undefined for the drop dir itself or anything outside it. */
export function locateInDrop(dropDir: string, absolutePath: string): DropLocation | undefined {
  const relative = path.relative(dropDir, absolutePath);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const [delivery = '', ...rest] = toPosixPath(relative).split('/');
  if (delivery === '') return undefined;
  return { delivery, relativePath: rest.join('/') };
}

/**
 * Builds the test of whether a path under the drop dir is outside every delivery's content: `processed/`,
 * `rejected/`, junk (by the config's globs, at any depth), and the refusal report. Top-level
 * files are not deliveries either, but they are left to the caller because a matcher called
 * without stats cannot tell a file from a folder.
 */
export function createLocationFilter(junk: readonly string[]): (location: DropLocation) => boolean {
  const isJunk = compileJunkMatcher(junk);
  return ({ delivery, relativePath }) => {
    if (delivery === PROCESSED_DIR || delivery === REJECTED_DIR) return true;
    if (isJunk(delivery)) return true;
    if (relativePath === '') return false;
    if (path.posix.basename(relativePath) === REPORT_FILE) return true;
    return isJunk(relativePath);
  };
}

/** A chokidar `ignored` function for the drop dir, built from the junk globs. */
export function createIgnoreMatcher(
  dropDir: string,
  junk: readonly string[],
): (absolutePath: string, stats?: { isFile(): boolean }) => boolean {
  const isIgnored = createLocationFilter(junk);
  return (absolutePath, stats) => {
    const location = locateInDrop(dropDir, absolutePath);
    if (location === undefined) return false;
    // A file lying loose in the drop dir belongs to no delivery.
    if (location.relativePath === '' && stats?.isFile() === true) return true;
    return isIgnored(location);
  };
}
