import { existsSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { probeMedia, RecipeInvalidError } from '@exercise-pipeline/shared';
import {
  createTempRoot,
  expectSegmentColours,
  expectTone,
  fileOf,
  type TempRoot,
} from '@exercise-pipeline/test/consumer';
import type { GeneratedBundle } from '@exercise-pipeline/test/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleSource } from './bundle-source.js';
import { type ComposeRecipeOptions, composeRecipe } from './compose.js';
import { BundleFileError } from './errors.js';
import { LocalBundleSource } from './local-bundle-source.js';
import { defaultMediaRunner, type MediaRunner } from './media-runner.js';
import { ProbeCache } from './probe-cache.js';

let root: TempRoot;
let base: GeneratedBundle;

beforeAll(async () => {
  root = await createTempRoot('compose-test-');
  // Framing takes with their own (silent) audio track, as filmed framing videos have.
  base = await root.bundle('base', { variants: { 'rep-left': 2, 'rep-right': 2 }, videoAudio: 'silent' });
}, 120_000);

afterAll(async () => {
  await root?.remove();
});

const exercise = 'detensionari-lombare';
const recipe = (sets: string, seed = 3) => ({
  exercise,
  language: 'ro',
  sets: sets.split(',').map((item) => ({ side: item.split(':')[0], reps: Number(item.split(':')[1]) })),
  seed,
});
const out = (name: string) => path.join(root.dir, 'out', name);
/** Composes `sets` from the bundle in `dir` at asset version 1 into `out(name)`. */
const composeLocal = (dir: string, sets: string, name: string, more: Partial<ComposeRecipeOptions> = {}) =>
  composeRecipe({
    source: new LocalBundleSource(dir),
    recipeInput: recipe(sets),
    assetVersion: 1,
    outPath: out(name),
    ...more,
  });
const clipSeconds = (key: string) => (key.startsWith('rep-') ? 1 : 2);

/** A runner that counts ffmpeg runs, to show what happened before ffmpeg was reached. */
function countingRunner(): MediaRunner & { ffmpegRuns: number; probes: number } {
  const runner = {
    ffmpegRuns: 0,
    probes: 0,
    ffmpeg: (args: readonly string[], options?: { timeoutMs?: number }) => {
      runner.ffmpegRuns += 1;
      return defaultMediaRunner.ffmpeg(args, options);
    },
    probe: (file: string) => {
      runner.probes += 1;
      return defaultMediaRunner.probe(file);
    },
  };
  return runner;
}

describe('composeRecipe with matching clips', () => {
  it('stream-copies the clips in timeline order with each voice-over under its segment', async () => {
    const result = await composeLocal(base.dir, 'left:5,right:10', 'copy.mp4');
    expect(result.mode).toBe('copy');
    expect(result.durationSeconds).toBe(9);
    expect(result.path).toBe(out('copy.mp4'));
    expect(result.segments.map((s) => [s.slot, s.startSeconds, s.durationSeconds])).toEqual([
      ['intro', 0, 2],
      ['rep-left', 2, 1],
      ['pauza', 3, 2],
      ['rep-right', 5, 2],
      ['outro', 7, 2],
    ]);
    const probe = await probeMedia(result.path);
    expect(probe.video).toMatchObject({ codec: 'h264', width: 160, height: 90, frameRate: '25/1' });
    expect(probe.audio).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 2 });
    expect(probe.durationSeconds).toBeCloseTo(9, 1);

    await expectSegmentColours(result.path, base, result.segments, clipSeconds);
    for (const segment of result.segments) {
      const hz = fileOf(base, segment.voiceOver).toneHz!;
      await expectTone(
        result.path,
        segment.startSeconds + 0.25,
        segment.durationSeconds - 0.5,
        hz,
        segment.slot,
      );
    }
    // The counting master starts with the set: a beep on the first rep's start, silence after it.
    const right = result.segments[3]!;
    const counting = fileOf(base, right.voiceOver).toneHz!;
    await expectTone(result.path, right.startSeconds + 0.02, 0.06, counting, 'first count');
    await expectTone(result.path, right.startSeconds + 0.13, 0.05, 0, 'between counts');
  });

  it('makes the same choices again and probes each file version once', async () => {
    const runner = countingRunner();
    const probeCache = new ProbeCache();
    const first = await composeRecipe({
      source: new LocalBundleSource(base.dir),
      recipeInput: recipe('right:20', 11),
      assetVersion: 4,
      outPath: out('again-1.mp4'),
      runner,
      probeCache,
    });
    const probesAfterFirst = runner.probes;
    const second = await composeRecipe({
      source: new LocalBundleSource(base.dir),
      recipeInput: recipe('right:20', 11),
      assetVersion: 4,
      outPath: out('again-2.mp4'),
      runner,
      probeCache,
    });
    expect(second.segments).toEqual(first.segments);
    expect(second.recipeHash).toBe(first.recipeHash);
    // Four blocks from a pool of two never repeat back to back.
    const blocks = first.segments[1]!.videos;
    expect(blocks).toHaveLength(4);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]).not.toBe(blocks[i - 1]);
    // First render: intro, two rep clips, outro and three voice-overs; then none. The output is
    // checked from its own MP4 boxes, without ffprobe.
    expect(probesAfterFirst).toBe(4 + 3);
    expect(runner.probes - probesAfterFirst).toBe(0);
  });

  it('pads a short voice-over with silence and cuts a long one at its segment', async () => {
    const dir = path.join(root.dir, 'padded');
    await cp(base.dir, dir, { recursive: true });
    const tone = (hz: number, seconds: number, key: string) =>
      defaultMediaRunner.ffmpeg([
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=${hz}:duration=${seconds}`,
        '-c:a',
        'libmp3lame',
        '-y',
        path.join(dir, key),
      ]);
    await tone(1500, 0.5, 'audio/ro/intro-vo-1.mp3');
    await tone(1800, 5, 'audio/ro/outro-vo-1.mp3');
    const result = await composeLocal(dir, 'left:5', 'padded.mp4');
    expect(result.durationSeconds).toBe(5);
    await expectTone(result.path, 0.1, 0.3, 1500, 'intro voice-over');
    await expectTone(result.path, 0.8, 1.1, 0, 'intro padding');
    await expectTone(result.path, 3.2, 1.6, 1800, 'outro voice-over');
    const probe = await probeMedia(result.path);
    expect(probe.audio?.durationSeconds).toBeCloseTo(5, 1);
  });
});

describe('composeRecipe with mismatched clips', () => {
  it("re-encodes to the first segment's profile and says so", async () => {
    const bundle = await root.bundle('mismatch', {
      mismatch: { slot: 'rep-right', width: 192, height: 108, fps: 30 },
    });
    const warnings: string[] = [];
    const result = await composeLocal(bundle.dir, 'left:5,right:5', 'reencode.mp4', {
      logger: {
        info() {},
        warn: (details, message) => warnings.push(`${message} ${JSON.stringify(details)}`),
      },
    });
    expect(result.mode).toBe('reencode');
    expect(warnings.join('\n')).toMatch(/re-encoded.*"mode":"reencode".*rep-right-video-1\.mp4: width 192/);
    expect(result.durationSeconds).toBe(8);
    const probe = await probeMedia(result.path);
    expect(probe.video).toMatchObject({ width: 160, height: 90, frameRate: '25/1', pixelFormat: 'yuv420p' });
    expect(probe.video?.durationSeconds).toBeCloseTo(8, 1);
    expect(probe.audio?.durationSeconds).toBeCloseTo(8, 1);
    await expectSegmentColours(result.path, bundle, result.segments, clipSeconds);
    const right = result.segments[3]!;
    await expectTone(
      result.path,
      right.startSeconds + 0.1,
      0.8,
      fileOf(bundle, right.voiceOver).toneHz!,
      'rep-right',
    );
  });
});

describe('composeRecipe with bad input', () => {
  it('names a corrupt variant by its path, or by its S3 key', async () => {
    const bundle = await root.bundle('corrupt', { corrupt: { slot: 'rep-left' } });
    const local = new LocalBundleSource(bundle.dir);
    const asInBucket: BundleSource = {
      list: () => local.list(),
      readManifest: () => local.readManifest(),
      localPath: (key) => local.localPath(key),
      describe: (key) => `${exercise}/${key}`,
    };
    const attempt = (source: BundleSource) =>
      composeRecipe({
        source,
        recipeInput: recipe('left:5'),
        assetVersion: 1,
        outPath: out('corrupt.mp4'),
      }).catch((error: unknown) => error);
    const error = await attempt(local);
    expect(error).toBeInstanceOf(BundleFileError);
    expect((error as Error).message).toContain(
      `${path.join(bundle.dir, 'rep-left-video-1.mp4')} cannot be read`,
    );
    expect(((await attempt(asInBucket)) as Error).message).toMatch(
      /^detensionari-lombare\/rep-left-video-1\.mp4 cannot be read as media .*; replace it/,
    );
    expect(existsSync(out('corrupt.mp4'))).toBe(false);
  });

  it('refuses a recipe needing a slot without variants before running ffmpeg', async () => {
    const dir = path.join(root.dir, 'no-pauza');
    await cp(base.dir, dir, { recursive: true });
    await rm(path.join(dir, 'pauza-video-1.mp4'));
    const runner = countingRunner();
    const error = await composeLocal(dir, 'left:5,right:5', 'no-pauza.mp4', { runner }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RecipeInvalidError);
    expect((error as RecipeInvalidError).reasons).toContainEqual({
      field: 'sets',
      message: 'the bundle has no video for slot "pauza"; add pauza-video-1.mp4',
    });
    expect(runner.ffmpegRuns + runner.probes).toBe(0);
    // One set needs no pauza: the narrowed pool does not break other recipes.
    const single = await composeLocal(dir, 'left:5', 'no-pauza.mp4');
    expect(single.durationSeconds).toBe(5);
  });

  it('never lets a source hand ffmpeg a network address', async () => {
    const local = new LocalBundleSource(base.dir);
    const remote: BundleSource = {
      list: () => local.list(),
      readManifest: () => local.readManifest(),
      // One object only: probes run side by side, so with several the first refusal would be any of them.
      localPath: async (key) =>
        key === 'intro-video-1.mp4' ? `http://127.0.0.1:9/${key}` : local.localPath(key),
      describe: (key) => `${exercise}/${key}`,
    };
    const error = await composeRecipe({
      source: remote,
      recipeInput: recipe('left:5'),
      assetVersion: 1,
      outPath: out('remote.mp4'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleFileError);
    expect((error as Error).message).toMatch(
      /^detensionari-lombare\/intro-video-1\.mp4 cannot be read as media/,
    );
    expect(((error as Error).cause as { code?: string }).code).toBe('FFMPEG_INPUT_REFUSED');
  });
});
