/**
 * Keyframe-first picture check, the decisions: from what the keyframe pass saw (each keyframe's
 * time, whether it is black, how far it differs from the keyframe before), which stretches of a
 * video the full-rate decode must still see so that its black and frozen stretches come out exactly
 * as a decode of every frame would report them — or that only a decode of every frame will do. Pure.
 *
 * Why it is exact. blackdetect reports a black stretch [S, E) (E the first frame that is not black,
 * or the last frame at the end of the file) when E − S ≥ blackMinSeconds. A stretch that holds no
 * keyframe lies between two keyframes K1 < K2 (or the last keyframe and the file's end): its first
 * frame comes at least one frame spacing f (the shortest distance between two frames) after K1, and
 * E is at latest K2, so E − S ≤ K2 − K1 − f. When every such gap less f is shorter than
 * blackMinSeconds (or the gap itself no longer) and the first keyframe comes before it, a reported
 * stretch holds a keyframe, and that keyframe is black (at 29.97 fps a keyframe every 30 frames,
 * 1.001 s apart, thus serves 1 s). Its run of black keyframes, widened to the keyframe before and
 * after (both not black, so outside the stretch), holds the whole stretch with its first frame that
 * is not black; blackdetect starts a decode there in the state a whole decode has there (not black),
 * so it reports the same stretch.
 *
 * freezedetect reports [R, E) when every frame from R on stays within the noise n of R (mean
 * absolute difference of all planes) up to E and E − R ≥ freezeMinSeconds. A stretch holding one
 * keyframe at most starts at least f after the keyframe before that one and ends by the keyframe
 * after it: E − R ≤ 2 × gap − f. When that is shorter than freezeMinSeconds (or twice the gap no
 * longer) and the first keyframe plus the gap is too, a reported stretch holds two consecutive
 * keyframes, both within n of R, so within 2n of each other (the difference is a distance). Every
 * run of such close keyframe pairs, widened to the keyframe before (which differs from the run's
 * first by more than 2n, so it is before R) and after (so at or after E), holds the
 * stretch. The decode of the region starts with that keyframe as freezedetect's reference, where a
 * whole decode may still hold an earlier frame within n of it: the two agree from the first frame
 * that differs from both by more than n, which in filmed footage is the next frame. Only a picture
 * that drifts by less than the noise per frame for the whole stretch before R could start the
 * reported stretch a few frames differently.
 */
import type { QcConfig } from '../rules/agent-config.js';

/** One keyframe as the keyframe pass saw it. */
export interface Keyframe {
  /** Seconds from the file's start, in the same time as the whole decode reports. */
  time: number;
  /** blackdetect counts it black (same thresholds as the whole decode). */
  black: boolean;
  /**
   * scdet's mean absolute difference to the keyframe before, in percent of the full range (100×
   * freezedetect's measure); undefined for the first.
   */
  change?: number;
}

/** A stretch to decode at full rate: from a keyframe (undefined: the file's start) to a keyframe (undefined: its end), both included. */
export interface PictureRegion {
  from?: number;
  until?: number;
}

export type PicturePlan = { mode: 'regions'; regions: PictureRegion[] } | { mode: 'full'; reason: string };

/** More regions than this are decoded whole: each region is one more input of the run. */
export const MAX_REGIONS = 12;
/** Regions covering more than this share of the file are decoded whole: the saving is gone. */
export const MAX_REGION_SHARE = 0.5;
/** scdet prints its difference with three decimals. */
const PRINT_ROUNDING = 0.0005;

/** freezedetect's noise n (a share of the full range) for `freezeNoiseDb`. */
export function freezeNoise(config: QcConfig): number {
  return 10 ** (config.freezeNoiseDb / 20);
}

function span(from: number, until: number): string {
  return `${from.toFixed(2)}–${until.toFixed(2)} s`;
}

/** Whether a stretch that fits in `span` less one frame spacing stays shorter than `minSeconds`. */
function tooShortToReport(span: number, frameSpacing: number, minSeconds: number): boolean {
  return span <= minSeconds || span - frameSpacing < minSeconds;
}

/**
 * Why keyframes at `times` (seconds, increasing) are too far apart for the keyframe-first check
 * with this config: a black or frozen stretch long enough to report could hold too few of them.
 * Undefined when they are close enough. `durationSeconds` is the container's (at or after the last
 * frame's end); `frameSpacing` the shortest distance between two frames (0: unknown).
 */
export function keyframeGapProblem(
  times: readonly number[],
  durationSeconds: number,
  config: QcConfig,
  frameSpacing = 0,
): string | undefined {
  if (times.length === 0) return 'no keyframe was found';
  if (!times.every((time, index) => Number.isFinite(time) && (index === 0 || time > times[index - 1]!))) {
    return 'keyframe times are not increasing';
  }
  const first = times[0]!;
  // The largest gap between keyframes, the last keyframe and the end included.
  const gaps = [
    ...times.slice(1).map((time, index) => time - times[index]!),
    durationSeconds - times.at(-1)!,
  ];
  const gap = Math.max(0, ...gaps);
  // Black stretches decide which frozen ones are reported (a black one is reported as black only),
  // so they are measured exactly whenever pictures are checked at all.
  const spacing = Number.isFinite(frameSpacing) && frameSpacing > 0 ? frameSpacing : 0;
  if (!(first < config.blackMinSeconds && tooShortToReport(gap, spacing, config.blackMinSeconds))) {
    return `keyframes up to ${Math.max(gap, first).toFixed(2)} s apart; a black stretch of ${config.blackMinSeconds} s could fall between two`;
  }
  if (
    config.freeze !== 'off' &&
    !(tooShortToReport(2 * gap, spacing, config.freezeMinSeconds) && first + gap < config.freezeMinSeconds)
  ) {
    return `keyframes up to ${gap.toFixed(2)} s apart; a frozen stretch of ${config.freezeMinSeconds} s could hold fewer than two`;
  }
  return undefined;
}

/**
 * The regions to decode at full rate, or why the whole file must be decoded. `durationSeconds` is
 * the container's (at or after the last frame's end); `frameSpacing` as for keyframeGapProblem.
 */
export function planPictureCheck(
  keyframes: readonly Keyframe[],
  durationSeconds: number,
  config: QcConfig,
  frameSpacing = 0,
): PicturePlan {
  const times = keyframes.map((keyframe) => keyframe.time);
  const problem = keyframeGapProblem(times, durationSeconds, config, frameSpacing);
  if (problem !== undefined) return { mode: 'full', reason: problem };
  const freeze = config.freeze !== 'off';
  // Candidate runs as keyframe indexes [first, last], each widened by one keyframe on both sides.
  const runs: [number, number][] = [];
  const close = 2 * 100 * freezeNoise(config) + PRINT_ROUNDING;
  let blackFrom: number | undefined;
  let closeFrom: number | undefined;
  keyframes.forEach((keyframe, index) => {
    if (keyframe.black) blackFrom ??= index;
    if (!keyframe.black && blackFrom !== undefined) {
      runs.push([blackFrom - 1, index]);
      blackFrom = undefined;
    }
    const isClose = freeze && index > 0 && keyframe.change !== undefined && keyframe.change <= close;
    if (isClose) closeFrom ??= index - 1;
    if (!isClose && closeFrom !== undefined) {
      runs.push([closeFrom - 1, index]);
      closeFrom = undefined;
    }
  });
  const end = keyframes.length;
  if (blackFrom !== undefined) runs.push([blackFrom - 1, end]);
  if (closeFrom !== undefined) runs.push([closeFrom - 1, end]);
  runs.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const run of runs) {
    const previous = merged.at(-1);
    if (previous !== undefined && run[0] <= previous[1]) previous[1] = Math.max(previous[1], run[1]);
    else merged.push([...run]);
  }
  const regions = merged.map(([from, until]) => ({
    ...(from >= 0 ? { from: times[from]! } : {}),
    ...(until < end ? { until: times[until]! } : {}),
  }));
  if (regions.length > MAX_REGIONS) {
    return { mode: 'full', reason: `${regions.length} stretches to look at closely` };
  }
  const decoded = regions.reduce(
    (sum, region) => sum + (region.until ?? durationSeconds) - (region.from ?? 0),
    0,
  );
  if (decoded > MAX_REGION_SHARE * durationSeconds) {
    return {
      mode: 'full',
      reason: `the stretches to look at closely (${regions.map((r) => span(r.from ?? 0, r.until ?? durationSeconds)).join(', ')}) cover most of the file`,
    };
  }
  return { mode: 'regions', regions };
}
