/**
 * The seed-shaped bundle the benchmarks render: the seed's recipe shape (2 sets × 10 reps) on 1080p
 * H.264 primitives, about 105 s of output. Generated once (a few minutes) under
 * `{DATA_DIR or the temp dir}/compose-bench` and reused by every later run of either benchmark.
 */
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BundleOptions, generateBundle } from '@exercise-pipeline/test/fixtures';
import { movingClipsFor, writeMovingClips } from './moving-media.js';

/** The seed's recipe: as `--sets` flag text, and as recipe sets. */
export const SEED_SETS_FLAG = 'left:10,right:10';
export const SEED_SETS = SEED_SETS_FLAG.split(',').map((item) => {
  const [side, reps] = item.split(':');
  return { side: side ?? '', reps: Number(reps) };
});
export const SEED_RECIPE_SEED = 1;
export const SEED_LANGUAGE = 'ro';

/**
 * Rep blocks of 5 × 4 s = 20 s; four of them plus three 8.4 s framing clips = 105.2 s. The
 * generator's solid-colour videos are then replaced by moving ones (moving-media.ts).
 */
export const SEED_MEDIA = {
  width: 1920,
  height: 1080,
  fps: 25,
  repSeconds: 4,
  framingSeconds: 8.4,
  repsPerBlock: 5,
  countsPerMaster: 20,
  variants: { 'rep-left': 2, 'rep-right': 2 },
  languages: [SEED_LANGUAGE],
  // Filmed takes carry a sound track; the render replaces it with the voice-overs.
  videoAudio: 'silent',
  concurrency: 2,
} satisfies BundleOptions;

/** Bump when SEED_MEDIA or moving-media.ts changes so a cached bundle of another shape is never reused. */
const BUNDLE_VERSION = 2;

/** Where the benchmarks keep the generated bundle between runs. */
export function benchCacheRoot(): string {
  return path.resolve(process.env.DATA_DIR ?? tmpdir(), 'compose-bench');
}

/** The generated bundle's directory (1080p unless `height` says otherwise, 16:9), generated first when no complete one is cached. */
export async function seedShapedBundle(benchRoot: string = benchCacheRoot(), height = 1080): Promise<string> {
  const media = { ...SEED_MEDIA, height, width: Math.round((height * 16) / 9 / 2) * 2 };
  const dir = path.join(benchRoot, `bundle-${height}p-v${BUNDLE_VERSION}`);
  if (existsSync(path.join(dir, 'manifest.json'))) return dir;
  process.stderr.write(
    `generating the ${height}p bundle in ${dir} (once, a few minutes; later runs reuse it)…\n`,
  );
  const started = performance.now();
  // Built aside and renamed into place: an interrupted run must not leave a bundle whose
  // manifest is there but whose videos are still the solid-colour ones.
  const partial = `${dir}.partial`;
  const generated = await generateBundle(partial, {
    ...media,
    overwrite: true,
    cacheDir: path.join(benchRoot, 'media-cache'),
  });
  await writeMovingClips(movingClipsFor(partial, generated.files, media));
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  process.stderr.write(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return dir;
}
