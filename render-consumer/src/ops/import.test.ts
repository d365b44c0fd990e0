import type { ProbeResult } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { importInputProblems, probeProblems } from './import.js';

const video: ProbeResult = {
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationSeconds: 42.5,
  sizeBytes: 1000,
  video: {
    codec: 'h264',
    width: 1280,
    height: 720,
    pixelFormat: 'yuv420p',
    frameRate: '25/1',
    fps: 25,
    timeBase: '1/12800',
  },
};

describe('importInputProblems', () => {
  it('accepts a slug and a language tag', () => {
    expect(importInputProblems({ filePath: 'a.mp4', exercise: 'plank-hold', language: 'ro' })).toEqual([]);
  });

  it('names every bad flag with what to pass instead', () => {
    const problems = importInputProblems({ filePath: 'a.mp4', exercise: 'Plank Hold', language: 'romanian' });
    expect(problems.map((problem) => problem.field)).toEqual(['exercise', 'language']);
    expect(problems[0]?.message).toContain('e.g. plank-hold');
  });
});

describe('probeProblems', () => {
  it('accepts a video with a duration', () => {
    expect(probeProblems('a.mp4', video)).toEqual([]);
  });

  it('refuses audio without video, and a video without duration', () => {
    const { video: _dropped, ...audioOnly } = video;
    expect(probeProblems('a.mp3', { ...audioOnly, formatName: 'mp3' })[0]?.message).toBe(
      'a.mp3 has no video stream (mp3); import an mp4 video',
    );
    expect(probeProblems('still.png', { ...video, durationSeconds: 0 })[0]?.message).toContain('no duration');
  });
});
