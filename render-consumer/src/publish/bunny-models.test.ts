import { describe, expect, it } from 'vitest';
import { type BunnyVideo, isLostCreate, parseBunnyDate } from './bunny-models.js';

const SINCE = Date.parse('2026-03-01T10:00:00Z');

function video(overrides: Partial<BunnyVideo> = {}): BunnyVideo {
  return {
    videoLibraryId: 1,
    guid: 'v1',
    title: 'hip · ro · v1',
    collectionId: 'c1',
    status: 0,
    dateUploaded: '2026-03-01T10:00:05.123',
    ...overrides,
  };
}

describe('parseBunnyDate', () => {
  it('reads a date without a zone as UTC, and keeps an explicit zone', () => {
    expect(parseBunnyDate('2026-03-01T10:00:05.123')).toBe(Date.parse('2026-03-01T10:00:05.123Z'));
    expect(parseBunnyDate('2026-03-01T12:00:05+02:00')).toBe(Date.parse('2026-03-01T10:00:05Z'));
    expect(parseBunnyDate('2026-03-01T10:00:05Z')).toBe(Date.parse('2026-03-01T10:00:05Z'));
  });

  it('gives undefined for an absent or unreadable date', () => {
    expect(parseBunnyDate(null)).toBeUndefined();
    expect(parseBunnyDate(undefined)).toBeUndefined();
    expect(parseBunnyDate('yesterday')).toBeUndefined();
  });
});

describe('isLostCreate', () => {
  const match = { title: 'hip · ro · v1', collectionId: 'c1', since: SINCE };

  it('matches an empty video of the exact title and collection made since the attempt began', () => {
    expect(isLostCreate(video(), match)).toBe(true);
    expect(isLostCreate(video({ collectionId: null }), { ...match, collectionId: undefined })).toBe(true);
  });

  it('rejects near misses: another title, collection, an upload, an older or undated video', () => {
    expect(isLostCreate(video({ title: 'hip · ro · v1 (2)' }), match)).toBe(false);
    expect(isLostCreate(video({ collectionId: 'c2' }), match)).toBe(false);
    expect(isLostCreate(video({ status: 1 }), match)).toBe(false);
    expect(isLostCreate(video({ dateUploaded: '2026-03-01T09:59:59' }), match)).toBe(false);
    expect(isLostCreate(video({ dateUploaded: null }), match)).toBe(false);
  });
});
