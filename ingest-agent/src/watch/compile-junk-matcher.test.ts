import { describe, expect, it } from 'vitest';
import { DEFAULT_JUNK } from '../rules/default-rules.js';
import { isJunk } from '../rules/is-junk.js';
import { compileJunkMatcher } from './compile-junk-matcher.js';

const PATHS = [
  '.DS_Store',
  'audio/.DS_Store',
  'THUMBS.DB',
  'desktop.ini',
  '._Intro.mp4',
  'copy.tmp',
  'Intro.mp4.part',
  '.git/config',
  'extras/notes.txt',
  'extras/deep/x.mp4',
  '001 Squat - Intro.mp4',
  'audio/ro/vo.mp3',
  'a\\b.mp4',
];

describe('compileJunkMatcher', () => {
  it.each([
    ['the default globs', DEFAULT_JUNK],
    ['a list with path globs', ['extras/**', '*.tmp']],
    ['an empty list', []],
  ])('decides exactly like isJunk for %s', (_label, globs) => {
    const matcher = compileJunkMatcher(globs);
    for (const path of PATHS) expect(matcher(path), path).toBe(isJunk(path, globs));
  });

  it('treats the defaults as junk and real media as content', () => {
    const matcher = compileJunkMatcher(DEFAULT_JUNK);
    expect(matcher('audio/.DS_Store')).toBe(true);
    expect(matcher('001 Squat - Intro.mp4')).toBe(false);
  });
});
