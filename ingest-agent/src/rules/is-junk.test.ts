import { describe, expect, it } from 'vitest';
import { DEFAULT_JUNK } from './default-rules.js';
import { isJunk, toPosixPath } from './is-junk.js';

describe('isJunk with the default globs', () => {
  it.each([
    '.DS_Store',
    'Thumbs.db',
    'THUMBS.DB',
    'desktop.ini',
    '._001 Intro.mp4',
    'upload.tmp',
    'CLIP.TMP',
    '001 Intro.mp4.part',
    '.hidden',
    'audio/.DS_Store',
    'a/b/Thumbs.db',
    'a/._x.mp3',
    '.Trashes/001 Intro.mp4',
    'take 2/.cache/x.mp4',
    'sub\\.DS_Store',
  ])('ignores %s', (path) => {
    expect(isJunk(path, DEFAULT_JUNK)).toBe(true);
  });

  it.each([
    '001 Detensionari Lombare - Intro.mp4',
    'audio/001 Detensionari Lombare 1-20 Stanga.mp3',
    'manifest.json',
    'notes.txt',
    'tmp/001 Intro.mp4',
    'file.tmp.mp4',
  ])('keeps %s', (path) => {
    expect(isJunk(path, DEFAULT_JUNK)).toBe(false);
  });
});

describe('isJunk with configured globs', () => {
  it('matches slash-free globs against every segment, so a junk folder hides its content', () => {
    expect(isJunk('rushes/clip.mp4', ['rushes'])).toBe(true);
    expect(isJunk('clip.mp4', ['rushes'])).toBe(false);
  });

  it('matches globs with a slash against the whole path', () => {
    expect(isJunk('extras/b-roll/x.mp4', ['extras/**'])).toBe(true);
    expect(isJunk('b-roll/extras/x.mp4', ['extras/**'])).toBe(false);
  });

  it('ignores nothing with an empty list', () => {
    expect(isJunk('.DS_Store', [])).toBe(false);
  });
});

describe('toPosixPath', () => {
  it('turns Windows separators into slashes and drops a leading ./', () => {
    expect(toPosixPath('audio\\ro\\x.mp3')).toBe('audio/ro/x.mp3');
    expect(toPosixPath('./x.mp4')).toBe('x.mp4');
  });
});
