import { statSync } from 'node:fs';
import { join } from 'node:path';
import { H264_FAST } from '@exercise-pipeline/test/fixtures';
import { useTempDir } from '@exercise-pipeline/test/harness';
import { beforeAll, describe, expect, it } from 'vitest';
import { FfmpegError } from './ffmpeg-error.js';
import { parseProbeOutput, rationalToNumber } from './parse-probe-output.js';
import { probeMedia } from './probe-media.js';
import { runFfmpeg } from './run-ffmpeg.js';
import { runFfprobe } from './run-ffprobe.js';

const temp = useTempDir('probe-media');
let clip: string;
let voice: string;

beforeAll(async () => {
  clip = join(temp.path, 'clip.mp4');
  voice = join(temp.path, 'voice.mp3');
  await runFfmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120:rate=25:duration=1',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000:duration=1',
    ...H264_FAST,
    '-c:a',
    'aac',
    '-shortest',
    '-y',
    clip,
  ]);
  await runFfmpeg([
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=1',
    '-c:a',
    'libmp3lame',
    '-b:a',
    '192k',
    '-y',
    voice,
  ]);
});

describe('probeMedia', () => {
  it('describes a video with sound', async () => {
    const probe = await probeMedia(clip);
    expect(probe.formatName).toContain('mp4');
    expect(probe.durationSeconds).toBeGreaterThan(0.9);
    expect(probe.durationSeconds).toBeLessThan(1.2);
    expect(probe.sizeBytes).toBe(statSync(clip).size);
    expect(probe.video).toMatchObject({
      codec: 'h264',
      width: 160,
      height: 120,
      pixelFormat: 'yuv420p',
      frameRate: '25/1',
      fps: 25,
    });
    expect(probe.video?.timeBase).toMatch(/^1\/\d+$/);
    expect(probe.video?.durationSeconds).toBeCloseTo(1, 1);
    expect(probe.audio).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 1 });
    expect(probe.audio?.durationSeconds).toBeCloseTo(1, 1);
  });

  it('names the video encoder setup: profile, level and a hash of SPS/PPS', async () => {
    const probe = await probeMedia(clip);
    // x264's ultrafast preset turns off CABAC and B-frames, which is what Constrained Baseline means.
    expect(probe.video?.profile).toBe('Constrained Baseline');
    expect(probe.video?.level).toBeGreaterThan(0);
    expect(probe.video?.extradataHash).toMatch(/^SHA256:[0-9a-f]{64}$/);
  });

  it('describes an mp3 voice-over without a video stream', async () => {
    const probe = await probeMedia(voice);
    expect(probe.formatName).toBe('mp3');
    expect(probe.video).toBeUndefined();
    expect(probe.audio?.codec).toBe('mp3');
    expect(probe.durationSeconds).toBeCloseTo(1, 1);
  });

  it('rejects a missing file with ffprobe stderr', async () => {
    const missing = join(temp.path, 'absent.mp4');
    const error = await probeMedia(missing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).tool).toBe('ffprobe');
    expect((error as FfmpegError).stderrTail).toContain('No such file or directory');
    expect((error as FfmpegError).command).toContain(missing);
  });

  it('refuses a network input before running ffprobe', async () => {
    const error = await runFfprobe('https://example.com/x.mp4').catch((caught: unknown) => caught);
    expect((error as FfmpegError).code).toBe('FFMPEG_INPUT_REFUSED');
  });
});

describe('parseProbeOutput', () => {
  it('skips cover art, tolerates N/A and falls back to the file size', () => {
    const json = JSON.stringify({
      streams: [
        { codec_type: 'audio', codec_name: 'mp3', sample_rate: '44100', channels: 2, duration: 'N/A' },
        { codec_type: 'video', codec_name: 'mjpeg', disposition: { attached_pic: 1 } },
      ],
      format: { format_name: 'mp3', duration: '2.5' },
    });
    const parsed = parseProbeOutput(json, 1234);
    expect(parsed).toEqual({
      ok: true,
      probe: {
        formatName: 'mp3',
        durationSeconds: 2.5,
        sizeBytes: 1234,
        audio: { codec: 'mp3', sampleRate: 44100, channels: 2, durationSeconds: undefined },
      },
    });
  });

  it('keeps profile, level and extradata hash of the video stream only when ffprobe prints them', () => {
    const stream = { codec_type: 'video', codec_name: 'h264', width: 2, height: 2, r_frame_rate: '25/1' };
    const json = (extra: object) =>
      JSON.stringify({ streams: [{ ...stream, ...extra }], format: { format_name: 'mp4' } });
    const withSetup = parseProbeOutput(json({ profile: 'High', level: 40, extradata_hash: 'SHA256:ab' }));
    expect(withSetup.ok && withSetup.probe.video).toMatchObject({
      profile: 'High',
      level: 40,
      extradataHash: 'SHA256:ab',
    });
    const without = parseProbeOutput(json({}));
    expect(without.ok && Object.keys(without.probe.video ?? {})).not.toContain('extradataHash');
    expect(without.ok && without.probe.video?.profile).toBeUndefined();
  });

  it('explains output it cannot use', () => {
    expect(parseProbeOutput('not json')).toEqual({ ok: false, reason: 'ffprobe did not print JSON' });
    expect(parseProbeOutput('{"streams":[]}')).toEqual({ ok: false, reason: 'ffprobe JSON lacks format' });
  });

  it('turns frame rates into numbers', () => {
    expect(rationalToNumber('30000/1001')).toBe(29.97);
    expect(rationalToNumber('0/0')).toBeUndefined();
    expect(rationalToNumber('25')).toBe(25);
  });
});
