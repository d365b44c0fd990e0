/**
 * The consumer benchmark's latency measurement: from the agent's "Bundle Synced" for the seed-shaped
 * bundle to its ready catalog preview, and the render time that target is based on.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { catalogPreviewRecipe } from '@exercise-pipeline/shared';
import pg from 'pg';
import { syncBundle } from '@exercise-pipeline/ingest-agent/sync';
import { DownloadCache } from '../src/bundle/download-cache.js';
import { S3BundleSource } from '../src/bundle/s3-bundle-source.js';
import { readBundle } from '../src/compose/bundle-source.js';
import { composeRecipe } from '../src/compose/compose.js';
import { LocalBundleSource } from '../src/compose/local-bundle-source.js';
import { ProbeCache } from '../src/compose/probe-cache.js';
import { type BenchContext, stage } from './consumer-bench-stage.js';
import { SEED_RECIPE_SEED, SEED_SETS, seedShapedBundle } from './seed-bundle.js';

export interface SeedBundle {
  dir: string;
  slug: string;
  languages: string[];
  /** The catalog preview recipe of the first language. */
  recipe: unknown;
  outputSeconds: number;
}

/**
 * The compose benchmark's cached 1080p bundle, copied here with the seed's recipe as the manifest's
 * catalog preview, so the consumer renders exactly the seed's shape.
 */
export async function seedBundle(root: string): Promise<SeedBundle> {
  const dir = path.join(root, 'bundles', 'seed-shaped');
  await cp(await seedShapedBundle(), dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const raw = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
  raw.catalog_preview = { sets: SEED_SETS, seed: SEED_RECIPE_SEED };
  await writeFile(manifestPath, `${JSON.stringify(raw, null, 2)}\n`);
  const { manifest } = await readBundle(new LocalBundleSource(dir));
  const recipe = catalogPreviewRecipe(manifest, manifest.languages[0]!);
  const outputSeconds = (
    await composeRecipe({
      source: new LocalBundleSource(dir),
      recipeInput: recipe,
      assetVersion: 1,
      outPath: path.join(root, 'check.mp4'),
    })
  ).durationSeconds;
  return { dir, slug: manifest.exercise, languages: manifest.languages, recipe, outputSeconds };
}

/**
 * The seed's preview rendered by `composeRecipe` from the bucket through a download cache: first
 * with an empty cache and probe cache (what the freshly started consumer had), then twice warm.
 */
async function s3RenderSeconds(
  context: BenchContext,
  bucket: string,
  seed: SeedBundle,
): Promise<{ coldSeconds: number; warmSeconds: number }> {
  const { root, s3 } = context;
  const cache = new DownloadCache({ dir: path.join(root, `direct-cache-${bucket}`) });
  const probeCache = new ProbeCache();
  const times: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const started = performance.now();
    await composeRecipe({
      source: new S3BundleSource({ s3, bucket, slug: seed.slug, cache }),
      recipeInput: seed.recipe,
      assetVersion: 1,
      outPath: path.join(root, `direct-${i}.mp4`),
      probeCache,
    });
    times.push((performance.now() - started) / 1000);
  }
  return { coldSeconds: times[0]!, warmSeconds: Math.min(...times.slice(1)) };
}

export interface Latency {
  firstSeconds: number;
  allSeconds: number;
  render: { coldSeconds: number; warmSeconds: number };
}

/** One consumer, the seed bundle synced; then, with the consumer stopped, the direct renders. */
export async function measureLatency(context: BenchContext, seed: SeedBundle): Promise<Latency> {
  const { root, s3, events, consumers } = context;
  const target = await stage(context, 'latency');
  const db = new pg.Client({ connectionString: target.databaseUrl });
  try {
    await consumers.start(1, target, 'latency');
    await db.connect();
    const synced = await syncBundle({
      s3,
      events,
      bucket: target.bucket,
      slug: seed.slug,
      localDir: seed.dir,
      eventBusName: 'default',
      dataDir: path.join(root, 'agent-latency'),
    });
    // The agent puts "Bundle Synced" as the last step of the sync.
    const announced = performance.now();
    if (!synced.eventPublished) throw new Error('the sync published no "Bundle Synced" event');
    let firstSeconds: number | undefined;
    for (;;) {
      const rows = await db
        .query<{ ready: string; catalog: boolean }>(
          `SELECT count(*) FILTER (WHERE r.status = 'ready') AS ready, bool_or(e.catalog_render_id IS NOT NULL) AS catalog
             FROM exercises e LEFT JOIN exercise_renders r ON r.exercise_id = e.id`,
        )
        .then((result) => result.rows)
        .catch(() => []);
      const ready = Number(rows[0]?.ready ?? 0);
      const elapsed = (performance.now() - announced) / 1000;
      if (ready >= 1 && firstSeconds === undefined) firstSeconds = elapsed;
      if (ready >= seed.languages.length && rows[0]?.catalog) {
        await consumers.stop();
        const render = await s3RenderSeconds(context, target.bucket, seed);
        return { firstSeconds: firstSeconds ?? elapsed, allSeconds: elapsed, render };
      }
      if (elapsed > 300) throw new Error('no ready preview within 300 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await db.end().catch(() => {});
    await consumers.stop();
    await target.drop();
  }
}
