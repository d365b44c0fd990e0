import { describe, expect, it } from 'vitest';
import { median, wholeNumberFlag } from './index.js';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('is NaN for no values', () => {
    expect(median([])).toBeNaN();
  });
});

describe('wholeNumberFlag', () => {
  it('reads a whole number at or above the minimum', () => {
    expect(wholeNumberFlag('rounds', '3')).toBe(3);
    expect(wholeNumberFlag('latency-ms', '0', 0)).toBe(0);
  });

  it('names the flag and what it wants otherwise', () => {
    expect(() => wholeNumberFlag('rounds', '0')).toThrow('--rounds must be a whole number >= 1, got "0"');
    expect(() => wholeNumberFlag('height', '7.5')).toThrow('--height must be a whole number >= 1, got "7.5"');
  });
});
