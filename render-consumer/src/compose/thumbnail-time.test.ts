import { describe, expect, it } from 'vitest';
import { thumbnailTimeMs } from './thumbnail-time.js';
import type { SegmentSummary } from './timing.js';

const framing = (slot: string, startSeconds: number, durationSeconds: number): SegmentSummary => ({
  kind: 'framing',
  slot,
  startSeconds,
  durationSeconds,
  videos: [`${slot}-video-1.mp4`],
  voiceOver: `audio/ro/${slot}-vo-1.mp3`,
});

describe('thumbnailTimeMs', () => {
  it('is the middle of the first rep block, after the intro', () => {
    const segments: SegmentSummary[] = [
      framing('intro', 0, 4.2),
      {
        kind: 'set',
        slot: 'rep-left',
        side: 'left',
        reps: 10,
        startSeconds: 4.2,
        durationSeconds: 6,
        videos: ['rep-left-video-1.mp4', 'rep-left-video-2.mp4'],
        voiceOver: 'audio/ro/rep-left-vo-1.mp3',
      },
      framing('outro', 10.2, 3),
    ];
    // Two 3 s blocks: the first one's middle is 4.2 + 1.5 s.
    expect(thumbnailTimeMs(segments)).toBe(5700);
  });

  it('is undefined without a set', () => {
    expect(thumbnailTimeMs([framing('intro', 0, 2)])).toBeUndefined();
  });
});
