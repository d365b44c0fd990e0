import type { ProbeResult } from '@exercise-pipeline/shared';
import { H264_160X90_PROFILE } from '@exercise-pipeline/test/consumer';
import { describe, expect, it } from 'vitest';
import {
  codecSetupOf,
  copyCompatibility,
  profileOf,
  timescaleOf,
  type VideoProfile,
  videoSecondsOf,
} from './profile.js';

const base: VideoProfile = H264_160X90_PROFILE;

describe('copyCompatibility', () => {
  it('accepts clips that share codec, size, rate, time base and pixel format', () => {
    expect(
      copyCompatibility([
        { file: 'a', profile: base },
        { file: 'b', profile: { ...base } },
      ]),
    ).toEqual({ ok: true });
  });

  it('names every property that differs from the first clip, with the file', () => {
    const result = copyCompatibility([
      { file: 'intro-video-1.mp4', profile: base },
      { file: 'rep-left-video-2.mp4', profile: { ...base, width: 192, frameRate: '30/1', fps: 30 } },
      { file: 'outro-video-1.mp4', profile: { ...base, pixelFormat: 'yuv444p' } },
      { file: 'pauza-video-1.mp4', profile: { ...base, codecSetup: 'Main|30|SHA256:cd' } },
    ]);
    expect(result).toEqual({
      ok: false,
      differences: [
        'rep-left-video-2.mp4: width 192 differs from intro-video-1.mp4 (160)',
        'rep-left-video-2.mp4: frameRate 30/1 differs from intro-video-1.mp4 (25/1)',
        'outro-video-1.mp4: pixelFormat yuv444p differs from intro-video-1.mp4 (yuv420p)',
        'pauza-video-1.mp4: encoder setup (profile, level or SPS/PPS) differs from intro-video-1.mp4',
      ],
    });
  });
});

describe('profileOf / videoSecondsOf', () => {
  const probe: ProbeResult = {
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    durationSeconds: 2.021,
    sizeBytes: 1000,
    video: { ...videoOf(base), durationSeconds: 2, profile: 'High', level: 30, extradataHash: 'SHA256:ab' },
    audio: { codec: 'aac', sampleRate: 44100, channels: 1, durationSeconds: 2.02 },
  };

  it("uses the video stream's length, not the container's", () => {
    expect(videoSecondsOf(probe)).toBe(2);
    expect(videoSecondsOf({ ...probe, video: videoOf(base) })).toBe(2.021);
  });

  it('has no profile without a video stream', () => {
    const { video: _video, ...withoutVideo } = probe;
    expect(profileOf(withoutVideo)).toBeNull();
    expect(profileOf(probe)).toEqual(base);
  });

  it('reads the mp4 timescale from a 1/n time base', () => {
    expect(timescaleOf('1/12800')).toBe(12800);
    expect(timescaleOf('1001/30000')).toBeUndefined();
  });
});

function videoOf(profile: VideoProfile): NonNullable<ProbeResult['video']> {
  const { codecSetup: _setup, ...video } = profile;
  return video;
}

describe('codecSetupOf', () => {
  it('reduces the video stream to profile|level|extradata hash, - for what is unknown', () => {
    const video = videoOf(base);
    expect(codecSetupOf({ ...video, profile: 'High', level: 30, extradataHash: 'SHA256:ab' })).toBe(
      'High|30|SHA256:ab',
    );
    expect(codecSetupOf(video)).toBe('-|-|-');
  });
});
