/**
 * The picture and sound check on real (generated) media: probeFiles decodes each file once, in its
 * packet read, and the findings name the file and the second.
 */
import path from 'node:path';
import { runFfmpeg } from '@exercise-pipeline/shared';
import { makeCutMedia } from '@exercise-pipeline/test/fixtures';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentConfigSchema, type FileKind } from '../rules/agent-config.js';
import { checkPictures, probeFiles } from '../validate/probe-files.js';
import { collectQc, loudnessMetadata } from './inspect-qc.js';
import { qcMessage } from './messages.js';

const qc = agentConfigSchema.parse({}).qc;
const SIZE = '160x90';

let dir: TempDir;
const media: Record<string, string> = {};

async function make(name: string, args: string[]): Promise<void> {
  media[name] = path.join(dir.path, name);
  await runFfmpeg(['-y', '-v', 'error', ...args, media[name]], { timeoutMs: 60_000 });
}

const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-threads', '1'];
const MP3 = ['-c:a', 'libmp3lame', '-b:a', '64k'];
/** Inputs of 1.2 s of black and 1 s of moving picture, for a concat filter to join. */
const BLACK_THEN_MOVING = [
  ...['-f', 'lavfi', '-i', `color=black:s=${SIZE}:r=10:d=1.2`],
  ...['-f', 'lavfi', '-i', `testsrc2=s=${SIZE}:r=10:d=1`],
];

beforeAll(async () => {
  dir = await createTempDir('qc-probe');
  await Promise.all([
    // 1.2 s of black, then 1 s of moving picture.
    make('Intro.mp4', [
      ...BLACK_THEN_MOVING,
      '-filter_complex',
      '[0:v][1:v]concat=n=2:v=1[v]',
      '-map',
      '[v]',
      ...X264,
    ]),
    // 1 s of moving picture, then the last frame held for 2.5 s.
    make('5 Stanga.mp4', [
      '-f',
      'lavfi',
      '-i',
      `testsrc2=s=${SIZE}:r=10:d=1`,
      '-vf',
      'tpad=stop_mode=clone:stop_duration=2.5',
      ...X264,
    ]),
    make('1-20 Stanga.mp3', ['-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono:d=3', ...MP3]),
    // A tone pushed 20 dB over full scale and cut off there, as an overdriven recording.
    make('1-20 Dreapta.mp3', [
      '-f',
      'lavfi',
      '-i',
      'sine=f=440:d=3',
      '-af',
      'volume=20dB,aformat=sample_fmts=s16',
      ...MP3,
    ]),
    // A steady tone peaking at -18 dBFS: about -22 LUFS.
    make('Pauza.mp3', ['-f', 'lavfi', '-i', 'sine=f=440:d=3', ...MP3]),
  ]);
});
afterAll(async () => {
  await dir?.remove();
});

function target(name: string, kind: FileKind) {
  return {
    path: media[name] ?? path.join(dir.path, name),
    file: {
      name,
      target: kind === 'video' ? `${name}.bundle.mp4` : `audio/ro/${name}`,
      kind,
      slot: 'intro' as const,
      variant: 1,
      language: 'ro',
      ext: kind === 'video' ? 'mp4' : 'mp3',
      extractsVoiceOver: false,
    },
  };
}

describe('the picture and sound check on generated media', () => {
  it('finds a black intro, a frozen rep, a silent and a clipped voice-over, each with file and second', async () => {
    const probed = await probeFiles(
      [
        target('Intro.mp4', 'video'),
        target('5 Stanga.mp4', 'video'),
        target('1-20 Stanga.mp3', 'voice-over'),
        target('1-20 Dreapta.mp3', 'voice-over'),
        target('Pauza.mp3', 'voice-over'),
      ],
      { qc },
    );
    const { findings, loudness } = collectQc(probed, qc);
    const lines = findings.map((finding) => qcMessage(finding));
    expect(lines).toEqual([
      expect.stringMatching(/^Intro\.mp4: black picture from 0\.0 s to 1\.[12] s — trim the black start/),
      expect.stringMatching(/^5 Stanga\.mp4: frozen picture \(nothing moves\) from 1\.\d s to 3\.5 s — /),
      expect.stringMatching(/^1-20 Stanga\.mp3: the voice-over is silent — /),
      expect.stringMatching(
        /^1-20 Dreapta\.mp3: the sound is distorted \(clipped at full volume\) in \d+ places, the first at 0\.\d s — /,
      ),
    ]);
    // Every voice-over's loudness is measured, the healthy one's too.
    const pauza = loudness.get('audio/ro/Pauza.mp3');
    expect(pauza?.integratedLufs).toBeGreaterThan(-25);
    expect(pauza?.integratedLufs).toBeLessThan(-19);
    expect(Math.abs((pauza?.truePeakDbtp ?? 0) + 18)).toBeLessThan(1);
    expect(loudnessMetadata(pauza!)).toEqual({
      'loudness-lufs': expect.stringMatching(/^-\d+\.\d$/),
      'true-peak-dbtp': expect.stringMatching(/^-\d+\.\d$/),
    });
    // Digital silence: ebur128's floor for both, never "-inf" (readers take half a pair as unusable).
    expect(loudnessMetadata(loudness.get('audio/ro/1-20 Stanga.mp3')!)).toEqual({
      'loudness-lufs': '-70.0',
      'true-peak-dbtp': '-70.0',
    });
  });

  it('checks deferred pictures later with the same findings, B-frame footage within a few frames', async () => {
    // Black for 1.2 s, 1 s of moving picture, then its last frame held for 2.5 s; encoded with three
    // B-frames between references, which the check skips (-skip_frame noref).
    await make('Intro B.mp4', [
      ...BLACK_THEN_MOVING,
      '-filter_complex',
      '[0:v][1:v]concat=n=2:v=1,tpad=stop_mode=clone:stop_duration=2.5[v]',
      '-map',
      '[v]',
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-bf', '3', '-pix_fmt', 'yuv420p'],
    ]);
    const targets = [target('Intro B.mp4', 'video'), target('Pauza.mp3', 'voice-over')];
    const deferred = await probeFiles(targets, { qc, deferPictures: true });
    // The packets are read through (a cut-off copy is still caught) but the picture is not decoded.
    expect(deferred[0]).not.toHaveProperty('qc');
    expect(deferred[0]).not.toHaveProperty('incomplete');
    expect(deferred[1]?.qc?.integratedLufs).toBeLessThan(-19);
    const checked = await checkPictures(deferred, new Map(targets.map((t) => [t.file.name, t.path])), qc);
    const findings = collectQc(checked, qc).findings;
    expect(findings).toEqual(collectQc(await probeFiles(targets, { qc }), qc).findings);
    const black = findings.find((finding) => finding.kind === 'black');
    const freeze = findings.find((finding) => finding.kind === 'freeze');
    expect(black?.atSeconds).toBe(0);
    // At 10 fps, three skipped B-frames move an end by at most 0.3 s.
    expect(Math.abs((black?.untilSeconds ?? 0) - 1.2)).toBeLessThanOrEqual(0.3);
    expect(Math.abs((freeze?.atSeconds ?? 0) - 2.1)).toBeLessThanOrEqual(0.3);
    expect(freeze?.untilSeconds).toBe(4.7);
  });

  it('decodes nothing when the check is disabled', async () => {
    const probed = await probeFiles([target('Intro.mp4', 'video')], { qc: { ...qc, enabled: false } });
    expect(probed[0]?.qc).toBeUndefined();
    expect(collectQc(probed, { ...qc, enabled: false }).findings).toEqual([]);
  });

  it('still finds a copy cut off half-way while decoding it for the check', async () => {
    const cut = await makeCutMedia(dir.path);
    const probed = await probeFiles(
      [
        { ...target('cut.mp3', 'voice-over'), path: cut.cutMp3 },
        { ...target('cut.mp4', 'video'), path: cut.cutMp4 },
      ],
      { qc },
    );
    expect(probed[0]?.incomplete).toMatch(/^it holds 1\.\d s of its 4\.\d s$|Header missing|Invalid data/);
    expect(probed[1]?.incomplete).toMatch(/corrupt input packet|partial file|holds|Invalid data/);
  });
});
