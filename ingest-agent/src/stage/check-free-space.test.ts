import { describe, expect, it } from 'vitest';
import { estimateStagingBytes, STAGING_RESERVE_BYTES } from './check-free-space.js';

describe('estimateStagingBytes', () => {
  const sizes = new Map([
    ['Intro.mp4', 1000],
    ['Rep 5 Stanga.mp4', 2000],
    ['1-20 Stanga.wav', 500],
  ]);

  it('counts linked files only when the delivery is on another file system', () => {
    const input = { sizes, linked: ['Intro.mp4', 'Rep 5 Stanga.mp4'], encoded: ['1-20 Stanga.wav'] };
    expect(estimateStagingBytes({ ...input, sameFileSystem: true })).toBe(STAGING_RESERVE_BYTES + 500);
    expect(estimateStagingBytes({ ...input, sameFileSystem: false })).toBe(STAGING_RESERVE_BYTES + 3500);
  });

  it('counts a framing video that is linked and also has its voice-over extracted twice', () => {
    expect(
      estimateStagingBytes({ sizes, linked: ['Intro.mp4'], encoded: ['Intro.mp4'], sameFileSystem: false }),
    ).toBe(STAGING_RESERVE_BYTES + 2000);
  });
});
