/**
 * The keyframe-first picture check on real (generated) footage: the stretches it reports are the
 * ones a decode of every frame reports, to the frame; footage whose keyframes are too far apart is
 * decoded whole; a picture that cannot be decoded becomes a finding naming the file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { probeMedia, runFfmpeg } from '@exercise-pipeline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir, type TempDir } from '../../../test/harness/temp-dir.js';
import type { QcMeasurements } from '../qc/findings.js';
import { collectQc } from '../qc/inspect-qc.js';
import { qcMessage } from '../qc/messages.js';
import { QcLogParser, qcInputArgs, qcOutputArgs } from '../qc/qc-graph.js';
import { agentConfigSchema } from '../rules/agent-config.js';
import { checkPicture } from './check-picture.js';
import { pinnedInputFor } from './media-file.js';
import { checkPictures, probeFiles } from './probe-files.js';
import { emptyVideoPackets, readAllPackets } from './read-all-packets.js';

/** The defaults: keyframes every second (as the fixtures' `-g fps`) hold every black stretch of 1 s. */
const qc = agentConfigSchema.parse({}).qc;
const FPS = 25;
const SIZE = '320x180';
const FRAME = 1 / FPS;
const NTSC = '30000/1001';

let dir: TempDir;
const media: Record<string, string> = {};

const moving = (seconds: number) => ['-f', 'lavfi', '-i', `testsrc2=s=${SIZE}:r=${FPS}:d=${seconds}`];
const black = (seconds: number) => ['-f', 'lavfi', '-i', `color=black:s=${SIZE}:r=${FPS}:d=${seconds}`];
/** A keyframe every `gop` frames and nowhere else (no scene-cut keyframes), B-frames or not. */
const x264 = (gop: number, bFrames: boolean) => [
  ...['-c:v', 'libx264', '-preset', bFrames ? 'veryfast' : 'ultrafast', '-pix_fmt', 'yuv420p'],
  ...['-g', String(gop), '-sc_threshold', '0', '-threads', '1'],
  ...(bFrames ? ['-bf', '3'] : []),
];

async function make(name: string, inputs: string[], graph: string, codec: string[]): Promise<void> {
  media[name] = path.join(dir.path, name);
  await runFfmpeg(
    ['-y', '-v', 'error', ...inputs, '-filter_complex', `${graph}[v]`, '-map', '[v]', ...codec, media[name]],
    { timeoutMs: 120_000 },
  );
}

beforeAll(async () => {
  dir = await createTempDir('qc-keyframes');
  await Promise.all([
    // 1.5 s black, then 4 s moving: the black start runs from the file's first frame.
    make('black-intro.mp4', [...black(1.5), ...moving(4)], '[0:v][1:v]concat=n=2:v=1', x264(FPS, true)),
    // 3.3 s moving, 1.3 s black (from mid-GOP to mid-GOP), 3 s moving.
    make(
      'black-middle.mp4',
      [...moving(3.3), ...black(1.3), ...moving(3)],
      '[0:v][1:v][2:v]concat=n=3:v=1',
      x264(FPS, true),
    ),
    // 3.3 s moving, its last frame held 2.6 s, then 3 s moving; no B-frames.
    make(
      'freeze-middle.mp4',
      [...moving(3.3), ...moving(3)],
      '[0:v]tpad=stop_mode=clone:stop_duration=2.6[a];[a][1:v]concat=n=2:v=1',
      x264(FPS, false),
    ),
    // 4.1 s moving, then its last frame held 2.5 s to the end.
    make('freeze-end.mp4', moving(4.1), '[0:v]tpad=stop_mode=clone:stop_duration=2.5', x264(FPS, true)),
    make('clean.mp4', moving(6), '[0:v]null', x264(FPS, true)),
    // 29.97 fps with a keyframe every 30 frames (1.001 s apart): 3.2 s moving, 1.4 s black, 3 s moving.
    make(
      'ntsc-black.mp4',
      ['3.2', '3'].flatMap((seconds) => ['-f', 'lavfi', '-i', `testsrc2=s=${SIZE}:r=${NTSC}:d=${seconds}`]),
      '[0:v]tpad=stop_duration=1.4:color=black[a];[a][1:v]concat=n=2:v=1',
      x264(30, true),
    ),
    // Long GOP: one keyframe in 10 s (-g 250 at 25 fps), a 2 s freeze in the middle.
    make(
      'long-gop.mp4',
      [...moving(4), ...moving(4)],
      '[0:v]tpad=stop_mode=clone:stop_duration=2[a];[a][1:v]concat=n=2:v=1',
      x264(250, true),
    ),
  ]);
}, 180_000);
afterAll(async () => {
  await dir?.remove();
});

/** The whole decode, every frame through the filters, as the check did before keyframes. */
async function wholeDecode(file: string, config = qc): Promise<QcMeasurements> {
  const probe = await probeMedia(file);
  const parser = new QcLogParser();
  const incomplete = await readAllPackets(file, {
    declaredSeconds: probe.durationSeconds,
    inputArgs: [...qcInputArgs('video'), ...pinnedInputFor(probe.formatName)!],
    analysis: { outputArgs: qcOutputArgs('video', config), parser },
  });
  expect(incomplete).toBeUndefined();
  return parser.finish(probe.durationSeconds);
}

async function keyframeFirst(file: string, config = qc) {
  const probe = await probeMedia(file);
  const inputArgs = pinnedInputFor(probe.formatName)!;
  // The packet read (no decoding) finds the keyframes, as probeFiles does.
  const packets = emptyVideoPackets();
  expect(
    await readAllPackets(file, { declaredSeconds: probe.durationSeconds, inputArgs, videoPackets: packets }),
  ).toBeUndefined();
  const checked = await checkPicture(file, probe, config, { inputArgs, packets });
  if (!('qc' in checked)) throw new Error(`check failed: ${JSON.stringify(checked)}`);
  return { ...checked, durationSeconds: probe.durationSeconds, packets };
}

/** Same stretches, start and end within a millisecond (the filters print the same frame times). */
function expectSameStretches(actual: QcMeasurements, expected: QcMeasurements): void {
  for (const kind of ['black', 'freeze'] as const) {
    expect(actual[kind].length, kind).toBe(expected[kind].length);
    actual[kind].forEach((stretch, index) => {
      expect(Math.abs(stretch.start - expected[kind][index]!.start), `${kind} start`).toBeLessThan(0.001);
      expect(Math.abs(stretch.end - expected[kind][index]!.end), `${kind} end`).toBeLessThan(0.001);
    });
  }
}

/**
 * The stretches the footage was made with, each end within three frames (the B-frames the check
 * skips can move an end by that much).
 */
function expectNear(actual: QcMeasurements, expected: Record<'black' | 'freeze', number[][]>): void {
  for (const kind of ['black', 'freeze'] as const) {
    expect(actual[kind].length, kind).toBe(expected[kind].length);
    actual[kind].forEach((stretch, index) => {
      const [start, end] = expected[kind][index]!;
      expect(Math.abs(stretch.start - start!), `${kind} start ${stretch.start}`).toBeLessThanOrEqual(
        3 * FRAME + 1e-9,
      );
      expect(Math.abs(stretch.end - end!), `${kind} end ${stretch.end}`).toBeLessThanOrEqual(
        3 * FRAME + 1e-9,
      );
    });
  }
}

describe('the keyframe-first picture check', () => {
  it.each([
    ['black-intro.mp4', { black: [[0, 1.5]], freeze: [] }],
    ['black-middle.mp4', { black: [[3.3, 4.6]], freeze: [] }],
    ['freeze-middle.mp4', { black: [], freeze: [[3.28, 5.92]] }],
    ['freeze-end.mp4', { black: [], freeze: [[4.08, 6.6]] }],
    ['clean.mp4', { black: [], freeze: [] }],
  ])(
    'reports the stretches of %s that a decode of every frame reports, decoding only part of it',
    async (name, expected) => {
      const file = media[name]!;
      const whole = await wholeDecode(file);
      const fast = await keyframeFirst(file);
      expect(fast.plan.mode).toBe('regions');
      expectSameStretches(fast.qc, whole);
      // The generated stretches themselves (the freeze begins at the held frame).
      expectNear(fast.qc, expected);
      // Only the regions around candidates are decoded at full rate: less than half the file.
      const regions = fast.plan.mode === 'regions' ? fast.plan.regions : [];
      const decoded = regions.reduce((sum, r) => sum + (r.until ?? fast.durationSeconds) - (r.from ?? 0), 0);
      expect(decoded).toBeLessThan(fast.durationSeconds / 2);
      if (name === 'clean.mp4') expect(regions).toEqual([]);
    },
  );

  it('decodes long-GOP footage whole and still finds its 2 s freeze', async () => {
    const file = media['long-gop.mp4']!;
    const fast = await keyframeFirst(file);
    expect(fast.plan).toEqual({
      mode: 'full',
      reason: expect.stringMatching(/keyframes up to \d+\.\d+ s apart/),
    });
    expectSameStretches(fast.qc, await wholeDecode(file));
    expectNear(fast.qc, { black: [], freeze: [[3.96, 6]] });
  });

  it('checks 29.97 fps footage with a keyframe every 30 frames keyframe first: no 1 s stretch fits between two', async () => {
    const file = media['ntsc-black.mp4']!;
    const fast = await keyframeFirst(file);
    // Keyframes 1.001 s apart, one frame (1001/30000 s) at least between any two frames' times.
    expect(
      Math.max(...fast.packets.keyframeTimes.slice(1).map((t, i) => t - fast.packets.keyframeTimes[i]!)),
    ).toBeCloseTo(1.001, 3);
    expect(fast.packets.frameSpacing).toBeCloseTo(1001 / 30000, 6);
    expect(fast.plan.mode).toBe('regions');
    expectSameStretches(fast.qc, await wholeDecode(file));
    expect(fast.qc.black).toHaveLength(1);
    expect(fast.qc.black[0]!.end - fast.qc.black[0]!.start).toBeCloseTo(1.4, 1);
  });

  it('decodes footage with keyframes a second apart whole when a black stretch of 0.5 s could hide between two', async () => {
    const strict = agentConfigSchema.parse({ qc: { blackMinSeconds: 0.5 } }).qc;
    const fast = await keyframeFirst(media['black-middle.mp4']!, strict);
    expect(fast.plan).toEqual({ mode: 'full', reason: expect.stringContaining('a black stretch of 0.5 s') });
    expectSameStretches(fast.qc, await wholeDecode(media['black-middle.mp4']!, strict));
  });
});

describe('a picture that cannot be decoded', () => {
  it('becomes a finding naming the file, the problem and the fix when checked beside the upload', async () => {
    // Packets intact (the copy reads to the end), the H.264 inside them garbled half-way.
    const bytes = await readFile(media['clean.mp4']!);
    const from = Math.floor(bytes.length / 2);
    for (let at = from; at < from + 3000; at += 1) bytes[at] = (at * 7919) % 251;
    const damaged = path.join(dir.path, 'damaged.mp4');
    await writeFile(damaged, bytes);
    const target = {
      path: damaged,
      file: {
        name: '5 Stanga.mp4',
        target: 'rep-left-video-1.mp4',
        kind: 'video' as const,
        slot: 'rep-left' as const,
        variant: 1,
        language: 'ro',
        ext: 'mp4',
        extractsVoiceOver: false,
      },
    };
    const deferred = await probeFiles([target], { qc, deferPictures: true });
    expect(deferred[0]?.incomplete).toBeUndefined();
    const checked = await checkPictures(deferred, new Map([[target.file.name, damaged]]), qc);
    const { findings } = collectQc(checked, qc);
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'undecodable', file: '5 Stanga.mp4', action: 'warn', atSeconds: 0 }),
    ]);
    expect(qcMessage(findings[0]!)).toMatch(
      /^5 Stanga\.mp4: the picture cannot be decoded to its end \(ffmpeg: .+\), so it was not checked for black or frozen stretches — the video inside the file is damaged: export the clip again/,
    );
    // Checked before upload (a picture finding refuses), the same finding refuses the delivery.
    const refusing = { ...qc, freeze: 'refuse' as const };
    const strict = collectQc(
      await checkPictures(deferred, new Map([[target.file.name, damaged]]), refusing),
      refusing,
    );
    expect(strict.findings.map((finding) => finding.action)).toEqual(['refuse']);
  });
});
