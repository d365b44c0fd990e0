import micromatch from 'micromatch';

/**
 * Windows agents report `a\b.mp4`; globs and rules speak POSIX paths. A backslash in a
 * file name is vanishingly rare next to a Windows share, so it is read as a separator.
 */
export function toPosixPath(relativePath: string): string {
  return relativePath.replaceAll('\\', '/').replace(/^\.\/+/, '');
}

const MATCH_OPTIONS: micromatch.Options = { dot: true, nocase: true };

/**
 * Whether a file of a delivery is junk the agent ignores. A glob without a slash is tested
 * against every segment of the path (so `.*` hides `.git/config` and `.DS_Store` at any
 * depth); a glob with a slash is tested against the whole relative path. Matching ignores case
 * because the shares are often case-insensitive (`THUMBS.DB` is still junk).
 */
export function isJunk(relativePath: string, globs: readonly string[]): boolean {
  const path = toPosixPath(relativePath);
  const segmentGlobs = globs.filter((glob) => !glob.includes('/'));
  const pathGlobs = globs.filter((glob) => glob.includes('/'));
  if (pathGlobs.length > 0 && micromatch.isMatch(path, pathGlobs, MATCH_OPTIONS)) return true;
  if (segmentGlobs.length === 0) return false;
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .some((segment) => micromatch.isMatch(segment, segmentGlobs, MATCH_OPTIONS));
}
