import { describe, expect, it } from 'vitest';
import { agentConfigSchema } from '../rules/agent-config.js';
import { type Keyframe, keyframeGapProblem, MAX_REGIONS, planPictureCheck } from './keyframe-plan.js';

/** The defaults: keyframes every second (as `-g fps` footage) hold every black stretch of 1 s and freeze of 2 s. */
const qc = agentConfigSchema.parse({}).qc;
const MOVING = 3.5;
/** freezedetect's default -50 dB is 0.316 % of the range; two keyframes of one freeze differ by twice that at most. */
const CLOSE = 0.63;

/** Keyframes at 0, 1, 2 … s: black where listed, `close` ones matching the keyframe before. */
function keyframes(count: number, marks: { black?: number[]; close?: number[] } = {}): Keyframe[] {
  return Array.from({ length: count }, (_, index) => ({
    time: index,
    black: marks.black?.includes(index) ?? false,
    ...(index === 0 ? {} : { change: marks.close?.includes(index) ? CLOSE : MOVING }),
  }));
}

describe('keyframeGapProblem', () => {
  it('accepts keyframes no further apart than the shortest black stretch and half the shortest freeze', () => {
    expect(keyframeGapProblem([0, 1, 2, 3], 4, qc)).toBeUndefined();
    // A gap of exactly blackMinSeconds still holds a keyframe in every reported black stretch.
    expect(keyframeGapProblem([0, 0.5, 1], 1.5, { ...qc, blackMinSeconds: 0.5, freezeMinSeconds: 1 })).toBe(
      undefined,
    );
  });

  it('refuses gaps a black stretch could fall between, the end of the file and a late first keyframe included', () => {
    expect(keyframeGapProblem([0, 0.96, 1.92], 2.88, { ...qc, blackMinSeconds: 0.5 })).toBe(
      'keyframes up to 0.96 s apart; a black stretch of 0.5 s could fall between two',
    );
    expect(keyframeGapProblem([0, 1, 2], 3.5, qc)).toMatch(/^keyframes up to 1\.50 s apart; a black stretch/);
    expect(keyframeGapProblem([1, 2, 3], 4, qc)).toMatch(/a black stretch of 1 s could fall between two/);
  });

  it('takes one frame off each gap: no stretch between two keyframes starts on the first of them', () => {
    // 29.97 fps, a keyframe every 30 frames: 1.001 s apart, yet at most 29 frames (0.968 s) between.
    const ntsc = [0, 1.001, 2.002, 3.003];
    const frame = 1001 / 30000;
    expect(keyframeGapProblem(ntsc, 4.004, qc)).toMatch(/a black stretch of 1 s could fall between two/);
    expect(keyframeGapProblem(ntsc, 4.004, qc, frame)).toBeUndefined();
    // Twice the gap less a frame (1.969 s) also stays under the shortest freeze (2 s).
    expect(keyframeGapProblem(ntsc, 4.004, { ...qc, blackMinSeconds: 2 }, frame)).toBeUndefined();
    // A frame shorter than the overshoot does not help: 1.05 s apart at 50 fps.
    expect(keyframeGapProblem([0, 1.05, 2.1], 3.15, qc, 0.02)).toMatch(/black stretch of 1 s/);
    // The gap to the file's end counts the same way.
    expect(keyframeGapProblem([0, 1, 2], 3.01, qc, 0.04)).toBeUndefined();
    expect(keyframeGapProblem([0, 1, 2], 3.1, qc, 0.04)).toMatch(/black stretch of 1 s/);
    expect(
      planPictureCheck(
        keyframes(3).map((k) => ({ ...k, time: k.time * 1.001 })),
        3.003,
        qc,
        frame,
      ),
    ).toEqual({
      mode: 'regions',
      regions: [],
    });
  });

  it('refuses gaps over half the shortest freeze unless freezes are off', () => {
    const strict = { ...qc, freezeMinSeconds: 1.5 };
    expect(keyframeGapProblem([0, 1, 2], 3, strict)).toBe(
      'keyframes up to 1.00 s apart; a frozen stretch of 1.5 s could hold fewer than two',
    );
    expect(keyframeGapProblem([0, 1, 2], 3, { ...strict, freeze: 'off' })).toBeUndefined();
    // The first keyframe and the gap after it must stay under the shortest freeze.
    expect(keyframeGapProblem([1.5, 2.5, 3.5], 4.5, { ...qc, blackMinSeconds: 2 })).toMatch(/frozen stretch/);
  });

  it('refuses what is no keyframe list', () => {
    expect(keyframeGapProblem([], 4, qc)).toBe('no keyframe was found');
    expect(keyframeGapProblem([0, 1, 1, 2], 3, qc)).toBe('keyframe times are not increasing');
    expect(keyframeGapProblem([0, Number.NaN], 3, qc)).toBe('keyframe times are not increasing');
  });
});

describe('planPictureCheck', () => {
  it('decodes nothing more for footage without black or matching keyframes', () => {
    expect(planPictureCheck(keyframes(10), 10, qc)).toEqual({ mode: 'regions', regions: [] });
  });

  it('widens a run of black keyframes to the keyframe before and after, or to the file ends', () => {
    expect(planPictureCheck(keyframes(10, { black: [4, 5] }), 10, qc)).toEqual({
      mode: 'regions',
      regions: [{ from: 3, until: 6 }],
    });
    expect(planPictureCheck(keyframes(10, { black: [0, 1] }), 10, qc)).toEqual({
      mode: 'regions',
      regions: [{ until: 2 }],
    });
    expect(planPictureCheck(keyframes(10, { black: [9] }), 10, qc)).toEqual({
      mode: 'regions',
      regions: [{ from: 8 }],
    });
  });

  it('widens a run of keyframes that match the one before to the keyframe before the first and after the last', () => {
    // 5 matches 4 and 6 matches 5: keyframes 4 to 6 may be one freeze.
    expect(planPictureCheck(keyframes(10, { close: [5, 6] }), 10, qc)).toEqual({
      mode: 'regions',
      regions: [{ from: 3, until: 7 }],
    });
    expect(planPictureCheck(keyframes(10, { close: [9] }), 10, qc)).toEqual({
      mode: 'regions',
      regions: [{ from: 7 }],
    });
    expect(planPictureCheck(keyframes(10, { close: [1] }), 10, qc)).toEqual({
      mode: 'regions',
      regions: [{ until: 2 }],
    });
  });

  it('counts keyframes as matching within twice the noise, and ignores matches when freezes are off', () => {
    const near = keyframes(10);
    near[5]!.change = 0.632;
    expect(planPictureCheck(near, 10, qc)).toEqual({ mode: 'regions', regions: [{ from: 3, until: 6 }] });
    near[5]!.change = 0.64;
    expect(planPictureCheck(near, 10, qc)).toEqual({ mode: 'regions', regions: [] });
    expect(planPictureCheck(keyframes(10, { close: [5] }), 10, { ...qc, freeze: 'off' })).toEqual({
      mode: 'regions',
      regions: [],
    });
  });

  it('merges regions that overlap or share a keyframe, and keeps apart those that do not', () => {
    expect(planPictureCheck(keyframes(20, { black: [4], close: [5, 6] }), 20, qc)).toEqual({
      mode: 'regions',
      regions: [{ from: 3, until: 7 }],
    });
    expect(planPictureCheck(keyframes(20, { black: [2, 4] }), 20, qc)).toEqual({
      mode: 'regions',
      regions: [{ from: 1, until: 5 }],
    });
    expect(planPictureCheck(keyframes(20, { black: [2, 6] }), 20, qc)).toEqual({
      mode: 'regions',
      regions: [
        { from: 1, until: 3 },
        { from: 5, until: 7 },
      ],
    });
  });

  it('decodes the whole file when the keyframes are too far apart, the regions too many or most of it', () => {
    expect(planPictureCheck(keyframes(10), 10, { ...qc, blackMinSeconds: 0.5 })).toEqual({
      mode: 'full',
      reason: 'keyframes up to 1.00 s apart; a black stretch of 0.5 s could fall between two',
    });
    const scattered = Array.from({ length: MAX_REGIONS + 1 }, (_, index) => 3 * index + 1);
    expect(
      planPictureCheck(keyframes(3 * MAX_REGIONS + 3, { black: scattered }), 3 * MAX_REGIONS + 3, qc),
    ).toEqual({
      mode: 'full',
      reason: `${MAX_REGIONS + 1} stretches to look at closely`,
    });
    expect(planPictureCheck(keyframes(10, { black: [2, 3, 4, 5, 6] }), 10, qc)).toEqual({
      mode: 'full',
      reason: 'the stretches to look at closely (1.00–7.00 s) cover most of the file',
    });
  });
});
