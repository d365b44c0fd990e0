/**
 * Consumer benchmark against its two targets, measured in one run and printed side by side:
 *
 *  1. latency: with SETTLE_SECONDS=2, the time from the agent's "Bundle Synced" to a ready catalog
 *     preview of the seed-shaped bundle is at most render time + 2 s. The bundle is the compose
 *     benchmark's (seed-bundle.ts: 1080p H.264 primitives) with the seed's recipe, 2 sets × 10 reps,
 *     as its catalog preview. Render time is that recipe rendered by `composeRecipe` from the same
 *     bucket through the download cache: cold (empty cache and probe cache, as the freshly started
 *     consumer has them; this is the target's base) and warm (best of two, for reference);
 *  2. scale-out: 3 consumer processes drain 60 change events across 10 exercises in at most 0.5× the
 *     time one process takes.
 *
 *   npx tsx render-consumer/bench/consumer-bench.ts [--exercises 10] [--events-per-exercise 6]
 *                                                   [--processes 3] [--languages ro,en]
 *
 * Everything real except Bunny: moto_server (S3, EventBridge, SQS), a throwaway PostgreSQL database
 * per run (DATABASE_URL), `consumer run` child processes, ffmpeg, and the Bunny Stream double of
 * test/doubles. The drain's bundles are the fixture generator's default small ones (320x180 at
 * 25 fps, 1 s reps, 3 s framing clips, one variant per slot): ten 1080p bundles would put 1.3 GB
 * through moto per run and time moto rather than the consumers. The change events are object events
 * of bundles already in the bucket but new to the catalog, so every exercise is one asset change.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { BunnyStreamDouble } from '@exercise-pipeline/test/doubles';
import { generateBundle } from '@exercise-pipeline/test/fixtures';
import { count, openBenchServices, option } from './bench-setup.js';
import { measureDrain } from './consumer-bench-drain.js';
import { measureLatency, seedBundle } from './consumer-bench-latency.js';
import { formatConsumerReport } from './consumer-bench-report.js';
import { type BenchContext, ConsumerFleet } from './consumer-bench-stage.js';

const exercises = count('--exercises', 10);
const eventsPerExercise = count('--events-per-exercise', 6);
const processes = count('--processes', 3);
const languages = option('--languages', 'ro,en').split(',');

const services = await openBenchServices('consumer-bench');
const { root, moto } = services;
const bunny = await new BunnyStreamDouble({ storage: 'none' }).start();
const consumers = new ConsumerFleet(root, moto, bunny);
const context: BenchContext = { ...services, bunny, consumers };

try {
  const cacheDir = path.join(root, 'media-cache');
  const bundleDir = async (slug: string) => {
    const dir = path.join(root, 'bundles', slug);
    await generateBundle(dir, { exercise: slug, languages, cacheDir, overwrite: true });
    return dir;
  };

  // --- 1. latency ------------------------------------------------------------------------------
  const seed = await seedBundle(root);
  const latency = await measureLatency(context, seed);

  // --- 2. scale-out ----------------------------------------------------------------------------
  const slugs = Array.from({ length: exercises }, (_, i) => `exercitiu-${String(i + 1).padStart(2, '0')}`);
  const dirs = await Promise.all(slugs.map(bundleDir));
  const plan = { slugs, dirs, eventsPerExercise, languages };
  const one = await measureDrain(context, 1, plan);
  const many = await measureDrain(context, processes, plan);

  const cores = availableParallelism();
  console.log(formatConsumerReport({ seed, latency, one, many, exercises, processes, languages, cores }));
} finally {
  consumers.killAll();
  await bunny.stop();
  await services.close();
}
