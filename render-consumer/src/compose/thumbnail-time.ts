import type { SegmentSummary } from './timing.js';

/**
 * Where a render's thumbnail should be taken, in milliseconds: the middle of the first rep block, so
 * a library's thumbnail shows the exercise being done rather than the intro's first frame. Undefined
 * when the render has no set (nothing better than the target's default).
 */
export function thumbnailTimeMs(segments: readonly SegmentSummary[]): number | undefined {
  const firstSet = segments.find((segment) => segment.kind === 'set');
  if (!firstSet || firstSet.durationSeconds <= 0) return undefined;
  const blocks = Math.max(1, firstSet.videos.length);
  const blockSeconds = firstSet.durationSeconds / blocks;
  return Math.round((firstSet.startSeconds + blockSeconds / 2) * 1000);
}
