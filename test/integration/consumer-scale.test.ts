/**
 * Three consumers (in-process services, each with its own DATA_DIR) compete for one render queue
 * and share one PostgreSQL catalog: every asset change is still rendered exactly once per language,
 * also while the Bunny double answers 503 for a while.
 */
import path from 'node:path';
import type { CatalogDb } from '@exercise-pipeline/render-consumer/catalog';
import type { RenderService } from '@exercise-pipeline/render-consumer/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  changeOneObject,
  exerciseRow,
  LANGUAGES,
  openCatalog,
  parseMetrics,
  rendersOf,
  usePipeline,
  waitForPreviews,
} from './consumer-helpers.js';

const world = usePipeline('consumer-scale');
const CONSUMERS = 3;

let services: RenderService[] = [];
let db: CatalogDb;

beforeAll(async () => {
  // Started together on an empty database: the migrations must be applied exactly once.
  services = await Promise.all(
    Array.from({ length: CONSUMERS }, (_, i) =>
      world.startService({
        databaseUrl: world.databaseUrl,
        dataDir: path.join(world.root, `consumer-${i}`),
      }),
    ),
  );
  db = await openCatalog(world.databaseUrl);
});

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await db?.close();
});

describe(`${CONSUMERS} consumers on one queue and one catalog`, () => {
  it('render each asset change exactly once per language', async () => {
    const slug = 'detensionari-lombare';
    const dir = await world.bundle(slug);
    await world.sync(slug, dir);
    await waitForPreviews(db, slug, 1);
    await world.queueDrained();

    await changeOneObject(dir);
    await world.sync(slug, dir);
    await waitForPreviews(db, slug, 2);
    await world.queueDrained();

    const renders = await rendersOf(db, slug);
    const byVersion = (version: number) =>
      renders
        .filter((render) => render.asset_version === version)
        .map((render) => [render.language, render.status])
        .sort();
    expect(byVersion(1)).toEqual(LANGUAGES.map((language) => [language, 'superseded']).sort());
    expect(byVersion(2)).toEqual(LANGUAGES.map((language) => [language, 'ready']).sort());
    expect((await exerciseRow(db, slug))?.asset_version).toBe(2);
    // Nothing was rendered twice and thrown away: four uploads, the four catalog rows.
    expect(world.completedUploads(slug)).toEqual(renders.map((render) => render.bunny_video_id).sort());

    // The work was shared: every consumer received messages.
    for (const service of services) {
      const metrics = parseMetrics(await (await fetch(`${service.url}/metrics`)).text());
      expect(metrics.get('exercise_pipeline_messages_received_total')).toBeGreaterThan(0);
    }
    const migrations = await db.query('SELECT name FROM schema_migrations');
    expect(migrations.length).toBeGreaterThan(0);
  });

  it('end a Bunny outage with one ready render per language, not two', async () => {
    const slug = 'ridicari-brate';
    const dir = await world.bundle(slug);
    // Counted rather than timed, so the outage covers the first publishes however slow the host is:
    // more refusals than one request's own retries, so a queue retry is needed as well.
    world.pipeline.bunny.failNext(8, 503);
    await world.sync(slug, dir);
    await waitForPreviews(db, slug, 1);
    await world.queueDrained();

    const renders = await rendersOf(db, slug);
    expect(renders.map((render) => [render.language, render.status]).sort()).toEqual(
      LANGUAGES.map((language) => [language, 'ready']).sort(),
    );
    expect(world.completedUploads(slug)).toEqual(renders.map((render) => render.bunny_video_id).sort());
    const refused = world.pipeline.bunny.requests.filter((request) => request.status === 503);
    expect(refused).toHaveLength(8);
  });
});
