import { describe, expect, it } from 'vitest';
import { rotate } from './catalog-previews.js';

describe('rotate', () => {
  it('starts at the offset and wraps round', () => {
    expect(rotate(['ro', 'en', 'de'], 0)).toEqual(['ro', 'en', 'de']);
    expect(rotate(['ro', 'en', 'de'], 1)).toEqual(['en', 'de', 'ro']);
    expect(rotate(['ro', 'en', 'de'], 5)).toEqual(['de', 'ro', 'en']);
    expect(rotate([], 3)).toEqual([]);
  });
});
