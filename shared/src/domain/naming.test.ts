import { describe, expect, it } from 'vitest';
import { InvalidKeyPartError } from './errors.js';
import {
  discoverVariants,
  exercisePrefix,
  isValidLanguage,
  isValidSlug,
  manifestKey,
  parseBundleKey,
  splitBundleKey,
  videoFileName,
  videoKey,
  voiceOverKey,
  voiceOverPath,
} from './naming.js';
import { repSlot, SLOTS, type Slot } from './types.js';

function refusal(fn: () => unknown): InvalidKeyPartError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidKeyPartError) return error;
    throw error;
  }
  throw new Error('expected InvalidKeyPartError, nothing was thrown');
}

describe('slots', () => {
  it('lists framing slots first, then one rep slot per side', () => {
    expect(SLOTS).toEqual(['intro', 'pauza', 'outro', 'rep-left', 'rep-right', 'rep-bilateral']);
    expect(repSlot('bilateral')).toBe('rep-bilateral');
  });
});

describe('isValidSlug', () => {
  it.each(['a', 'squat', 'wall-squat-2', '0-9', 'x'.repeat(63)])('accepts %s', (slug) => {
    expect(isValidSlug(slug)).toBe(true);
  });
  it.each([
    '',
    'x'.repeat(64),
    'Squat',
    'squat wall',
    '-squat',
    'squat-',
    'squat--wall',
    '../etc',
    'a/b',
    'squat_wall',
    'ș',
    'squat.',
  ])('refuses %j', (slug) => {
    expect(isValidSlug(slug)).toBe(false);
  });
  it('refuses non-strings', () => {
    expect(isValidSlug(5)).toBe(false);
    expect(isValidSlug(undefined)).toBe(false);
  });
});

describe('isValidLanguage', () => {
  it.each(['ro', 'en', 'pt-BR', 'es-419', 'zh-Hant', 'zh-Hant-TW', 'fil'])('accepts %s', (lang) => {
    expect(isValidLanguage(lang)).toBe(true);
  });
  it.each(['', 'RO', 'r', 'pt-br', 'pt_BR', 'ro/..', '../ro', 'en/US', 'english', 'ro '])(
    'refuses %j',
    (lang) => {
      expect(isValidLanguage(lang)).toBe(false);
    },
  );
});

describe('key builders', () => {
  it('build the bundle layout from valid parts', () => {
    expect(exercisePrefix('wall-squat')).toBe('wall-squat/');
    expect(manifestKey('wall-squat')).toBe('wall-squat/manifest.json');
    expect(videoKey('wall-squat', 'intro', 2)).toBe('wall-squat/intro-video-2.mp4');
    expect(videoKey('wall-squat', 'rep-left', 12)).toBe('wall-squat/rep-left-video-12.mp4');
    expect(voiceOverKey('wall-squat', 'pt-BR', 'rep-right', 1)).toBe(
      'wall-squat/audio/pt-BR/rep-right-vo-1.mp3',
    );
    expect(videoFileName('outro', 3)).toBe('outro-video-3.mp4');
    expect(voiceOverPath('ro', 'pauza', 4)).toBe('audio/ro/pauza-vo-4.mp3');
  });

  it.each([
    ['../etc', 'slug'],
    ['Squat', 'slug'],
    ['', 'slug'],
    ['x'.repeat(64), 'slug'],
    ['a/b', 'slug'],
  ])('refuses slug %j naming the part', (slug, part) => {
    const error = refusal(() => videoKey(slug, 'intro', 1));
    expect(error.part).toBe(part);
    expect(error.code).toBe('KEY_PART_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^invalid slug /);
    expect(error.value).toBe(slug);
    expect(() => manifestKey(slug)).toThrow(InvalidKeyPartError);
    expect(() => exercisePrefix(slug)).toThrow(/invalid slug/);
  });

  it('accepts a 63-character slug and refuses 64', () => {
    expect(manifestKey('a'.repeat(63))).toBe(`${'a'.repeat(63)}/manifest.json`);
    expect(refusal(() => manifestKey('a'.repeat(64))).part).toBe('slug');
  });

  it.each(['en/US', '../ro', 'RO', '', 'ro/'])('refuses language %j', (language) => {
    const error = refusal(() => voiceOverKey('squat', language, 'intro', 1));
    expect(error.part).toBe('language');
    expect(error.value).toBe(language);
    expect(refusal(() => voiceOverPath(language, 'intro', 1)).part).toBe('language');
  });

  it.each([0, -1, 1.5, Number.NaN, 1_000_000])('refuses variant %s', (n) => {
    expect(refusal(() => videoKey('squat', 'intro', n)).part).toBe('variant');
    expect(refusal(() => voiceOverPath('ro', 'intro', n)).part).toBe('variant');
  });

  it.each(['rep', 'rep-up', 'INTRO', '../intro', ''])('refuses slot %j', (slot) => {
    expect(refusal(() => videoKey('squat', slot as Slot, 1)).part).toBe('slot');
    expect(refusal(() => videoFileName(slot as Slot, 1)).part).toBe('slot');
  });

  it('names what it expects in the message', () => {
    expect(refusal(() => manifestKey('../x')).message).toMatch(
      /^invalid slug "\.\.\/x": expected lowercase letters/,
    );
    expect(refusal(() => voiceOverPath('en/US', 'intro', 1)).message).toContain('"pt-BR"');
    expect(refusal(() => videoFileName('intro', 0)).message).toContain(
      'invalid variant 0: expected a whole number',
    );
  });
});

describe('parseBundleKey', () => {
  it('classifies the convention', () => {
    expect(parseBundleKey('manifest.json')).toEqual({ kind: 'manifest' });
    expect(parseBundleKey('rep-right-video-4.mp4')).toEqual({
      kind: 'video',
      slot: 'rep-right',
      variant: 4,
      ext: 'mp4',
    });
    expect(parseBundleKey('audio/pt-BR/outro-vo-2.mp3')).toEqual({
      kind: 'voice-over',
      language: 'pt-BR',
      slot: 'outro',
      variant: 2,
      ext: 'mp3',
    });
  });
  it.each([
    '',
    'manifest.json.bak',
    'sub/manifest.json',
    'intro-vo-1.mp3',
    'intro-video-1.mp3',
    'intro-video-0.mp4',
    'audio/ro/intro-video-1.mp4',
    'audio/RO/intro-vo-1.mp3',
    'audio/ro/sub/intro-vo-1.mp3',
    'audio/../intro-vo-1.mp3',
    'audio/ro/../intro-vo-1.mp3',
    'audio/ro/intro-vo-1.mp3/',
    'video/intro-video-1.mp4',
    '.DS_Store',
    'Thumbs.db',
  ])('ignores %j', (key) => {
    expect(parseBundleKey(key)).toBeNull();
  });

  it('round-trips every key the builders produce', () => {
    for (const slot of SLOTS) {
      expect(parseBundleKey(videoFileName(slot, 7))).toEqual({ kind: 'video', slot, variant: 7, ext: 'mp4' });
      expect(parseBundleKey(voiceOverPath('en', slot, 7))).toMatchObject({
        kind: 'voice-over',
        slot,
        variant: 7,
      });
    }
  });
});

describe('discoverVariants', () => {
  it('collects sorted pools per slot and language; gaps narrow the pool, junk is ignored', () => {
    const variants = discoverVariants([
      'manifest.json',
      'intro-video-3.mp4',
      'intro-video-1.mp4',
      'rep-left-video-2.mp4',
      'rep-left-video-10.mp4',
      'rep-left-video-2.mp4',
      'audio/ro/intro-vo-2.mp3',
      'audio/ro/rep-left-vo-1.mp3',
      'audio/en/intro-vo-1.mp3',
      'notes.txt',
      'intro-video-01.mp4',
      'audio/ro/intro-vo-x.mp3',
      'audio/../intro-vo-1.mp3',
      'Intro-video-2.mp4',
    ]);
    expect(variants).toEqual({
      video: { intro: [1, 3], 'rep-left': [2, 10] },
      voiceOver: { ro: { intro: [2], 'rep-left': [1] }, en: { intro: [1] } },
    });
  });

  it('gives empty pools for an empty or junk-only listing', () => {
    expect(discoverVariants([])).toEqual({ video: {}, voiceOver: {} });
    expect(discoverVariants(['a', 'b/c', '../../x'])).toEqual({ video: {}, voiceOver: {} });
  });

  it('does not depend on listing order', () => {
    const keys = [
      'intro-video-2.mp4',
      'intro-video-1.mp4',
      'audio/ro/intro-vo-3.mp3',
      'audio/ro/intro-vo-1.mp3',
    ];
    expect(discoverVariants([...keys].reverse())).toEqual(discoverVariants(keys));
  });
});

describe('splitBundleKey', () => {
  it('splits a full key into slug and relative key', () => {
    expect(splitBundleKey('wall-squat/intro-video-1.mp4')).toEqual({
      slug: 'wall-squat',
      relative: 'intro-video-1.mp4',
    });
    expect(splitBundleKey('wall-squat/audio/ro/intro-vo-1.mp3')).toEqual({
      slug: 'wall-squat',
      relative: 'audio/ro/intro-vo-1.mp3',
    });
  });
  it.each(['manifest.json', 'wall-squat/', '/wall-squat/x', 'Wall/x', '../x/y', '', 'a b/manifest.json'])(
    'returns null for %j',
    (key) => {
      expect(splitBundleKey(key)).toBeNull();
    },
  );
});
