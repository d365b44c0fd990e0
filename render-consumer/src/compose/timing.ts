import type { SegmentPlan, TimelinePlan } from './timeline.js';

/** A planned segment placed on the output's time axis. */
export type TimedSegment = SegmentPlan & {
  startSeconds: number;
  durationSeconds: number;
  /** One entry per video the segment plays (one for framing, one per block for a set). */
  videoSeconds: number[];
};

export interface TimedTimeline {
  segments: TimedSegment[];
  totalSeconds: number;
}

/**
 * Places the segments back to back. A segment lasts as long as its video(s); its voice-over is
 * later fitted to that length (trimmed, or padded with silence), so the video decides the timing.
 */
export function timeTimeline(plan: TimelinePlan, videoSeconds: (key: string) => number): TimedTimeline {
  let start = 0;
  const segments = plan.segments.map((segment): TimedSegment => {
    const keys = segment.kind === 'framing' ? [segment.video.key] : segment.blocks.map((block) => block.key);
    const durations = keys.map((key) => {
      const seconds = videoSeconds(key);
      if (!Number.isFinite(seconds) || seconds <= 0) {
        throw new RangeError(`timeTimeline: ${key} has no usable duration (${seconds})`);
      }
      return seconds;
    });
    const durationSeconds = durations.reduce((sum, seconds) => sum + seconds, 0);
    const timed = { ...segment, startSeconds: start, durationSeconds, videoSeconds: durations };
    start += durationSeconds;
    return timed;
  });
  return { segments, totalSeconds: start };
}

/**
 * Re-encoding emits whole frames at the target rate, so each clip's length is rounded to that
 * grid (at least one frame) before the timeline is laid out; audio is then cut to the same
 * lengths and the tracks stay in sync clip by clip.
 */
export function onFrameGrid(seconds: number, fps: number): number {
  const frames = Math.max(1, Math.round(seconds * fps));
  return frames / fps;
}

/** What the JSON output and the logs say about one segment. */
export interface SegmentSummary {
  kind: 'framing' | 'set';
  slot: string;
  side?: string;
  reps?: number;
  startSeconds: number;
  durationSeconds: number;
  /** Bundle keys of the videos played, in order. */
  videos: string[];
  voiceOver: string;
}

export function summarizeSegments(timeline: TimedTimeline): SegmentSummary[] {
  return timeline.segments.map((segment) => {
    const common = {
      startSeconds: roundMs(segment.startSeconds),
      durationSeconds: roundMs(segment.durationSeconds),
      voiceOver: segment.voiceOver.key,
    };
    if (segment.kind === 'framing') {
      return { kind: 'framing', slot: segment.slot, ...common, videos: [segment.video.key] };
    }
    return {
      kind: 'set',
      slot: `rep-${segment.side}`,
      side: segment.side,
      reps: segment.reps,
      ...common,
      videos: segment.blocks.map((block) => block.key),
    };
  });
}

export function roundMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
