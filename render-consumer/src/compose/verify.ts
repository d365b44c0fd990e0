import { ComposeError } from './errors.js';

/**
 * What the output check reads of a render: the container's duration and the first video and audio
 * stream's (a RenderDurations has these, and so does the MP4 reader in mp4-durations.ts).
 */
export interface RenderDurations {
  durationSeconds: number;
  video?: { durationSeconds?: number | undefined } | undefined;
  audio?: { durationSeconds?: number | undefined } | undefined;
}

export interface RenderExpectation {
  /** The sum of the segments' lengths. */
  totalSeconds: number;
  /** The output frame rate; the tolerance is one frame. */
  fps: number;
}

/** Why a probed render does not match what was planned; empty when it does. */
export function renderProblems(probe: RenderDurations, expected: RenderExpectation): string[] {
  const problems: string[] = [];
  // One frame, plus a millisecond for ffprobe's rounding to microseconds.
  const tolerance = 1 / (expected.fps > 0 ? expected.fps : 25) + 0.001;
  const check = (what: string, seconds: number | undefined) => {
    if (seconds === undefined || !Number.isFinite(seconds)) {
      problems.push(`${what} duration is unknown`);
    } else if (Math.abs(seconds - expected.totalSeconds) > tolerance) {
      problems.push(
        `${what} lasts ${seconds.toFixed(3)} s, expected ${expected.totalSeconds.toFixed(3)} s (±${tolerance.toFixed(3)})`,
      );
    }
  };
  if (!probe.video) problems.push('it has no video stream');
  else check('the video stream', probe.video.durationSeconds ?? probe.durationSeconds);
  if (!probe.audio) problems.push('it has no audio stream');
  else check('the audio stream', probe.audio.durationSeconds ?? probe.durationSeconds);
  check('the file', probe.durationSeconds);
  return problems;
}

/** Probes the rendered file and throws COMPOSE_OUTPUT_INVALID unless it is fit to publish. */
export async function verifyRender(
  path: string,
  expected: RenderExpectation,
  probe: (path: string) => Promise<RenderDurations>,
): Promise<RenderDurations> {
  let result: RenderDurations;
  try {
    result = await probe(path);
  } catch (error) {
    throw new ComposeError(`the render ${path} cannot be probed; it was not published`, {
      code: 'COMPOSE_OUTPUT_INVALID',
      cause: error,
    });
  }
  const problems = renderProblems(result, expected);
  if (problems.length > 0) {
    throw new ComposeError(
      `the render ${path} failed its checks (${problems.join('; ')}); it was not published`,
      {
        code: 'COMPOSE_OUTPUT_INVALID',
      },
    );
  }
  return result;
}
