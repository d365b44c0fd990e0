import { inputProtocol } from '@exercise-pipeline/shared';
import { H264_160X90_PROFILE } from '@exercise-pipeline/test/consumer';
import { describe, expect, it } from 'vitest';
import { buildConcatList, buildRenderArgs, fileUrl, type RenderArgsInput } from './ffmpeg-args.js';
import type { VideoProfile } from './profile.js';

const target: VideoProfile = H264_160X90_PROFILE;

function input(mode: 'copy' | 'reencode', overrides: Partial<RenderArgsInput> = {}): RenderArgsInput {
  return {
    mode,
    videos: [
      { path: '/b/intro-video-1.mp4', seconds: 2 },
      { path: '/b/rep-left-video-1.mp4', seconds: 1 },
      { path: '/b/rep-left-video-2.mp4', seconds: 1 },
      { path: '/b/outro-video-1.mp4', seconds: 2 },
    ],
    audio: [
      { path: '/b/audio/ro/intro-vo-1.mp3', seconds: 2 },
      { path: '/b/audio/ro/rep-left-vo-1.mp3', seconds: 2 },
      { path: '/b/audio/ro/outro-vo-1.mp3', seconds: 2 },
    ],
    concatListPath: '/work/videos.ffconcat',
    target,
    outPath: '/out/render.mp4',
    ...overrides,
  };
}

/** The value after every `-i`, checking that the whitelist option comes right before it. */
function inputsOf(args: readonly string[]): string[] {
  const inputs: string[] = [];
  args.forEach((arg, i) => {
    if (arg !== '-i') return;
    expect(args.slice(i - 2, i)).toEqual(['-protocol_whitelist', 'file,pipe']);
    inputs.push(args[i + 1]!);
  });
  return inputs;
}

const filterOf = (args: readonly string[]) => args[args.indexOf('-filter_complex') + 1]!;

describe('buildRenderArgs (copy)', () => {
  const args = buildRenderArgs(input('copy'));

  it('reads every video through one concat input and every voice-over as a local file', () => {
    expect(inputsOf(args)).toEqual([
      'file:/work/videos.ffconcat',
      'file:/b/audio/ro/intro-vo-1.mp3',
      'file:/b/audio/ro/rep-left-vo-1.mp3',
      'file:/b/audio/ro/outro-vo-1.mp3',
    ]);
    expect(args.slice(0, 6)).toEqual(['-copyts', '-f', 'concat', '-safe', '0', '-protocol_whitelist']);
    for (const value of inputsOf(args)) expect(inputProtocol(value)).toBe('file');
  });

  it('copies the video and encodes the assembled audio once', () => {
    expect(args.join(' ')).toContain('-map 0:v:0 -map [aout] -c:v copy -c:a aac');
    expect(args.filter((arg) => arg === '-c:a')).toHaveLength(1);
    expect(args.slice(-3)).toEqual(['mp4', '-y', 'file:/out/render.mp4']);
  });

  it('fits each voice-over to its segment and joins them in order', () => {
    const chains = filterOf(args).split(';');
    expect(chains).toHaveLength(4);
    expect(chains[0]).toMatch(/^\[1:a:0\].*atrim=end=2\.000000.*apad=whole_dur=2\.000000\[a0\]$/);
    expect(chains[2]).toMatch(/^\[3:a:0\]/);
    expect(chains[3]).toBe('[a0][a1][a2]concat=n=3:v=0:a=1[aout]');
  });
});

describe('buildRenderArgs (loudness)', () => {
  const args = buildRenderArgs(
    input('copy', {
      audio: [
        { path: '/b/audio/ro/intro-vo-1.mp3', seconds: 2, gainDb: -7.9 },
        { path: '/b/audio/ro/rep-left-vo-1.mp3', seconds: 2 },
        { path: '/b/audio/ro/outro-vo-1.mp3', seconds: 2, gainDb: 13.25 },
      ],
    }),
  );

  it('turns each voice-over by its own gain after resampling and before its silence padding', () => {
    const chains = filterOf(args).split(';');
    expect(chains[0]).toMatch(/aformat=sample_fmts=fltp:channel_layouts=stereo,volume=-7\.90dB,apad=/);
    expect(chains[1]).not.toContain('volume');
    expect(chains[2]).toContain(',volume=13.25dB,apad=whole_dur=2.000000[a2]');
  });

  it('still encodes the audio once, in the same run', () => {
    expect(args.filter((arg) => arg === '-c:a')).toHaveLength(1);
    expect(args.filter((arg) => arg === '-filter_complex')).toHaveLength(1);
  });

  it('refuses a gain that is not a number', () => {
    const bad = input('copy', {
      audio: [{ path: '/b/audio/ro/intro-vo-1.mp3', seconds: 2, gainDb: Number.NaN }],
    });
    expect(() => buildRenderArgs(bad)).toThrow(/gain must be finite/);
  });
});

describe('buildRenderArgs (reencode)', () => {
  const args = buildRenderArgs(
    input('reencode', {
      videos: [
        { path: '/b/intro-video-1.mp4', seconds: 2 },
        { path: '/b/rep-left-video-1.mp4', seconds: 1.04 },
      ],
      audio: [
        { path: '/b/audio/ro/intro-vo-1.mp3', seconds: 2 },
        { path: '/b/audio/ro/rep-left-vo-1.mp3', seconds: 1.04 },
      ],
    }),
  );

  it('opens each video, then each voice-over, all as whitelisted local files', () => {
    expect(inputsOf(args)).toEqual([
      'file:/b/intro-video-1.mp4',
      'file:/b/rep-left-video-1.mp4',
      'file:/b/audio/ro/intro-vo-1.mp3',
      'file:/b/audio/ro/rep-left-vo-1.mp3',
    ]);
    expect(args).not.toContain('concat');
  });

  it('opens bucket files only with their own demuxer, never one their bytes pick', () => {
    const pinned = args.flatMap((arg, i) => (arg === '-i' ? [args.slice(i - 6, i - 2).join(' ')] : []));
    expect(pinned).toEqual([
      '-f mov -format_whitelist mov,mp4,m4a,3gp,3g2,mj2',
      '-f mov -format_whitelist mov,mp4,m4a,3gp,3g2,mj2',
      '-f mp3 -format_whitelist mp3',
      '-f mp3 -format_whitelist mp3',
    ]);
  });

  it("conforms every clip to the first segment's profile and cuts it to whole frames", () => {
    const filter = filterOf(args);
    expect(filter).toContain('[1:v:0]setpts=PTS-STARTPTS,scale=160:90:force_original_aspect_ratio=decrease');
    expect(filter).toContain('fps=25/1,format=yuv420p');
    expect(filter).toContain('trim=end_frame=26');
    expect(filter).toContain('[2:a:0]');
    expect(filter).toContain('[v0][v1]concat=n=2:v=1:a=0[vout]');
    const joined = args.join(' ');
    expect(joined).toContain('-map [vout] -map [aout] -c:v libx264');
    expect(joined).toContain('-pix_fmt yuv420p -r 25/1 -video_track_timescale 12800');
  });
});

describe('inputs never reach the network', () => {
  it.each([
    'http://example.com/intro.mp4',
    'https://example.com/a.mp4',
    'rtmp://host/live',
    'relative/intro-video-1.mp4',
    'concat:/a.mp4|/b.mp4',
    '/b/intro\nfile http://x',
  ])('refuses %j as a video or voice-over path', (bad) => {
    expect(() => buildRenderArgs(input('copy', { audio: [{ path: bad, seconds: 1 }] }))).toThrow(
      /absolute local paths/,
    );
    expect(() => buildRenderArgs(input('reencode', { videos: [{ path: bad, seconds: 1 }] }))).toThrow(
      /absolute local paths/,
    );
    expect(() => buildConcatList([{ path: bad, seconds: 1 }])).toThrow(/absolute local paths/);
  });

  it('keeps a URL-looking absolute path a file', () => {
    expect(fileUrl('/tmp/http://x.mp4')).toBe('file:/tmp/http://x.mp4');
  });
});

describe('buildConcatList', () => {
  it('writes file: entries with each clip length, quoting apostrophes', () => {
    expect(
      buildConcatList([
        { path: "/b/it's/intro-video-1.mp4", seconds: 2 },
        { path: '/b/rep-left-video-1.mp4', seconds: 1.04 },
      ]),
    ).toBe(
      [
        'ffconcat version 1.0',
        "file 'file:/b/it'\\''s/intro-video-1.mp4'",
        'option format_whitelist mov,mp4,m4a,3gp,3g2,mj2',
        'duration 2.000000',
        "file 'file:/b/rep-left-video-1.mp4'",
        'option format_whitelist mov,mp4,m4a,3gp,3g2,mj2',
        'duration 1.040000',
        '',
      ].join('\n'),
    );
  });

  it('refuses a clip without length', () => {
    expect(() => buildConcatList([{ path: '/b/a.mp4', seconds: 0 }])).toThrow(/> 0 seconds/);
  });
});
