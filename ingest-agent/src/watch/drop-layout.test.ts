import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_JUNK } from '../rules/default-rules.js';
import { createIgnoreMatcher, isMediaFile, locateInDrop } from './drop-layout.js';

const drop = path.resolve('/srv/drop');
const at = (...parts: string[]) => path.join(drop, ...parts);
const file = { isFile: () => true };
const folder = { isFile: () => false };

describe('locateInDrop', () => {
  it('splits a path into the delivery and the path inside it', () => {
    expect(locateInDrop(drop, at('001 Squat', 'audio', 'a.mp3'))).toEqual({
      delivery: '001 Squat',
      relativePath: 'audio/a.mp3',
    });
    expect(locateInDrop(drop, at('001 Squat'))).toEqual({ delivery: '001 Squat', relativePath: '' });
  });

  it('has no location for the drop dir itself or paths outside it', () => {
    expect(locateInDrop(drop, drop)).toBeUndefined();
    expect(locateInDrop(drop, path.resolve('/srv/other/x.mp4'))).toBeUndefined();
    expect(locateInDrop(drop, path.resolve('/srv/drop-2/x.mp4'))).toBeUndefined();
  });
});

describe('createIgnoreMatcher', () => {
  const ignored = createIgnoreMatcher(drop, DEFAULT_JUNK);

  it('ignores processed/, rejected/ and everything inside them', () => {
    expect(ignored(at('processed'))).toBe(true);
    expect(ignored(at('rejected', '001 Squat', 'intro.mp4'), file)).toBe(true);
  });

  it('ignores junk at any depth and the refusal report, but not delivery content', () => {
    for (const junk of [
      '.DS_Store',
      'Thumbs.db',
      'desktop.ini',
      '._intro.mp4',
      'x.tmp',
      'y.part',
      '.hidden',
    ]) {
      expect(ignored(at('001 Squat', junk), file), junk).toBe(true);
      expect(ignored(at('001 Squat', 'audio', junk), file), `audio/${junk}`).toBe(true);
    }
    expect(ignored(at('001 Squat', '_REPORT.txt'), file)).toBe(true);
    expect(ignored(at('.Trashes'), folder)).toBe(true);
    expect(ignored(at('001 Squat', 'intro.mp4'), file)).toBe(false);
    expect(ignored(at('001 Squat', 'audio'), folder)).toBe(false);
  });

  it('ignores loose files in the drop dir but watches folders and the drop dir itself', () => {
    expect(ignored(at('notes.txt'), file)).toBe(true);
    expect(ignored(at('001 Squat'), folder)).toBe(false);
    expect(ignored(at('001 Squat'))).toBe(false);
    expect(ignored(drop)).toBe(false);
  });

  it('follows a configured junk list instead of the defaults', () => {
    const custom = createIgnoreMatcher(drop, ['*.bak']);
    expect(custom(at('001 Squat', 'old.bak'), file)).toBe(true);
    expect(custom(at('001 Squat', '.DS_Store'), file)).toBe(false);
  });
});

describe('isMediaFile', () => {
  it('recognises media containers by extension, in any case', () => {
    expect(isMediaFile('a/Intro.MP4')).toBe(true);
    expect(isMediaFile('vo.mp3')).toBe(true);
    expect(isMediaFile('manifest.json')).toBe(false);
    expect(isMediaFile('mp4')).toBe(false);
  });
});
