import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { probeMedia, runFfmpeg } from '@exercise-pipeline/shared';
import { createTempRoot, type TempRoot } from '@exercise-pipeline/test/consumer';
import type { GeneratedBundle } from '@exercise-pipeline/test/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeRecipe, planRenderCommand } from './compose.js';
import { LocalBundleSource } from './local-bundle-source.js';
import { defaultMediaRunner, type MediaRunner } from './media-runner.js';

let root: TempRoot;
let base: GeneratedBundle;

beforeAll(async () => {
  root = await createTempRoot('render-command-test-');
  base = await root.bundle('base', { variants: { 'rep-left': 2 } });
}, 120_000);

afterAll(async () => {
  await root?.remove();
});

const recipeInput = {
  exercise: 'detensionari-lombare',
  language: 'ro',
  sets: [{ side: 'left', reps: 10 }],
  seed: 5,
};

/** Records every ffmpeg argv while running it for real. */
function recordingRunner(): MediaRunner & { runs: string[][] } {
  const runs: string[][] = [];
  return {
    runs,
    ffmpeg: (args, options) => {
      runs.push([...args]);
      return defaultMediaRunner.ffmpeg(args, options);
    },
    probe: (file) => defaultMediaRunner.probe(file),
  };
}

describe('planRenderCommand', () => {
  it('gives the exact ffmpeg arguments composeRecipe runs, and they render the plan when run bare', async () => {
    const runner = recordingRunner();
    const composed = await composeRecipe({
      source: new LocalBundleSource(base.dir),
      recipeInput,
      assetVersion: 2,
      outPath: path.join(root.dir, 'out', 'composed.mp4'),
      runner,
    });
    // The voice-overs' loudness measurements run first; the render is the one run with a graph.
    const renders = runner.runs.filter((args) => args.includes('-filter_complex'));
    expect(renders).toHaveLength(1);
    const ran = renders[0]!;
    // composeRecipe works in a temporary directory; ask for the command with the same paths.
    const concatListPath = ran.find((arg) => arg.endsWith('.ffconcat'))!.replace(/^file:/, '');
    const outPath = ran.at(-1)!.replace(/^file:/, '');
    const command = await planRenderCommand({
      source: new LocalBundleSource(base.dir),
      recipeInput,
      assetVersion: 2,
      concatListPath,
      outPath,
    });
    expect(command.mode).toBe('copy');
    expect(command.args).toEqual(ran);
    expect(command.recipeHash).toBe(composed.recipeHash);
    expect(command.totalSeconds).toBeCloseTo(composed.durationSeconds, 3);

    const bare = path.join(root.dir, 'bare');
    const bareCommand = await planRenderCommand({
      source: new LocalBundleSource(base.dir),
      recipeInput,
      assetVersion: 2,
      concatListPath: path.join(root.dir, 'bare.ffconcat'),
      outPath: `${bare}.mp4`,
    });
    await writeFile(path.join(root.dir, 'bare.ffconcat'), bareCommand.concatList!);
    await runFfmpeg(bareCommand.args);
    const probe = await probeMedia(`${bare}.mp4`);
    expect(probe.durationSeconds).toBeCloseTo(composed.durationSeconds, 1);
  });

  it('re-encodes when one clip has another encoder setup at the same size and rate', async () => {
    const bundle = await root.bundle('other-setup', { variants: { 'rep-left': 2 } });
    const clip = path.join(bundle.dir, 'rep-left-video-2.mp4');
    const recoded = path.join(root.dir, 'recoded.mp4');
    // Same size, rate and pixel format; only the H.264 profile (and so the SPS/PPS) differs.
    await runFfmpeg([
      '-i',
      clip,
      '-c:v',
      'libx264',
      '-preset',
      'medium',
      '-profile:v',
      'high',
      '-y',
      recoded,
    ]);
    await runFfmpeg(['-i', recoded, '-c', 'copy', '-y', clip]);
    const command = await planRenderCommand({
      source: new LocalBundleSource(bundle.dir),
      recipeInput,
      assetVersion: 2,
      concatListPath: path.join(root.dir, 'unused.ffconcat'),
      outPath: path.join(root.dir, 'unused.mp4'),
    });
    expect(command.mode).toBe('reencode');
    expect(command.concatList).toBeUndefined();
    expect(command.args).toContain('libx264');
  });
});
