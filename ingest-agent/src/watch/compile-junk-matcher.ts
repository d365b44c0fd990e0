import micromatch from 'micromatch';
import { toPosixPath } from '../rules/is-junk.js';

const MATCH_OPTIONS: micromatch.Options = { dot: true, nocase: true };

function anyOf(globs: readonly string[]): (text: string) => boolean {
  const tests = globs.map((glob) => micromatch.matcher(glob, MATCH_OPTIONS));
  return (text) => tests.some((test) => test(text));
}

/**
 * `isJunk` with the globs compiled once. The watcher asks about every path of the drop dir on
 * every event and every scan, where compiling the globs per call would dominate the idle CPU.
 * Same rules: a glob without `/` is tested against each segment, one with `/` against the path.
 */
export function compileJunkMatcher(globs: readonly string[]): (relativePath: string) => boolean {
  const segment = anyOf(globs.filter((glob) => !glob.includes('/')));
  const whole = anyOf(globs.filter((glob) => glob.includes('/')));
  return (relativePath) => {
    const path = toPosixPath(relativePath);
    if (whole(path)) return true;
    return path.split('/').some((part) => part !== '' && segment(part));
  };
}
