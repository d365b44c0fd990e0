import type { ProbeResult } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { renderProblems, verifyRender } from './verify.js';

const good: ProbeResult = {
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationSeconds: 9.01,
  sizeBytes: 5000,
  video: {
    codec: 'h264',
    width: 160,
    height: 90,
    pixelFormat: 'yuv420p',
    frameRate: '25/1',
    fps: 25,
    timeBase: '1/12800',
    durationSeconds: 9,
  },
  audio: { codec: 'aac', sampleRate: 48000, channels: 2, durationSeconds: 9.021 },
};

describe('renderProblems', () => {
  it('accepts durations within one frame of the planned total', () => {
    expect(renderProblems(good, { totalSeconds: 9, fps: 25 })).toEqual([]);
  });

  it('reports a missing stream and every duration off by more than a frame', () => {
    const problems = renderProblems(
      { ...good, durationSeconds: 9.2, audio: undefined, video: { ...good.video!, durationSeconds: 8.9 } },
      { totalSeconds: 9, fps: 25 },
    );
    expect(problems).toEqual([
      'the video stream lasts 8.900 s, expected 9.000 s (±0.041)',
      'it has no audio stream',
      'the file lasts 9.200 s, expected 9.000 s (±0.041)',
    ]);
  });

  it('rejects through verifyRender with the path in the message', async () => {
    await expect(
      verifyRender('/out/x.mp4', { totalSeconds: 12, fps: 25 }, async () => good),
    ).rejects.toMatchObject({
      code: 'COMPOSE_OUTPUT_INVALID',
      message: expect.stringContaining('/out/x.mp4'),
    });
    await expect(verifyRender('/out/x.mp4', { totalSeconds: 9, fps: 25 }, async () => good)).resolves.toBe(
      good,
    );
  });
});
