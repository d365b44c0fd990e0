/**
 * Three consumers (in-process services, each with its own DATA_DIR) compete for one render queue
 * and share one PostgreSQL catalog: every asset change is still rendered exactly once per language,
 * also while the Bunny double answers 503 for a while.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogDb } from '@exercise-pipeline/render-consumer/catalog';
import type { RenderService } from '@exercise-pipeline/render-consumer/service';
import { useMotoServer, useTempDir, useTestDatabase } from '../harness/index.js';
import {
  changeOneObject,
  completedUploads,
  exerciseRow,
  LANGUAGES,
  makeBundle,
  openCatalog,
  openPipeline,
  type Pipeline,
  parseMetrics,
  renderQueueDrained,
  rendersOf,
  startService,
  syncAs,
  waitForPreviews,
} from './consumer-helpers.js';

const moto = useMotoServer('consumer-scale');
const database = useTestDatabase('consumer_scale');
const temp = useTempDir('consumer-scale');
const CONSUMERS = 3;

let pipeline: Pipeline;
let services: RenderService[] = [];
let db: CatalogDb;

beforeAll(async () => {
  pipeline = await openPipeline(moto.endpoint, temp.path);
  // Started together on an empty database: the migrations must be applied exactly once.
  services = await Promise.all(
    Array.from({ length: CONSUMERS }, (_, i) =>
      startService(pipeline, { databaseUrl: database.url, dataDir: path.join(temp.path, `consumer-${i}`) }),
    ),
  );
  db = await openCatalog(database.url);
});

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await db?.close();
  await pipeline?.close();
});

describe(`${CONSUMERS} consumers on one queue and one catalog`, () => {
  it('render each asset change exactly once per language', async () => {
    const slug = 'detensionari-lombare';
    const dir = await makeBundle(temp.path, slug);
    await syncAs(pipeline, slug, dir);
    await waitForPreviews(db, slug, 1);
    await renderQueueDrained(pipeline);

    await changeOneObject(dir);
    await syncAs(pipeline, slug, dir);
    await waitForPreviews(db, slug, 2);
    await renderQueueDrained(pipeline);

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
    expect(completedUploads(pipeline, slug)).toEqual(renders.map((render) => render.bunny_video_id).sort());

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
    const dir = await makeBundle(temp.path, slug);
    // Counted rather than timed, so the outage covers the first publishes however slow the host is:
    // more refusals than one request's own retries, so a queue retry is needed as well.
    pipeline.bunny.failNext(8, 503);
    await syncAs(pipeline, slug, dir);
    await waitForPreviews(db, slug, 1);
    await renderQueueDrained(pipeline);

    const renders = await rendersOf(db, slug);
    expect(renders.map((render) => [render.language, render.status]).sort()).toEqual(
      LANGUAGES.map((language) => [language, 'ready']).sort(),
    );
    expect(completedUploads(pipeline, slug)).toEqual(renders.map((render) => render.bunny_video_id).sort());
    const refused = pipeline.bunny.requests.filter((request) => request.status === 503);
    expect(refused).toHaveLength(8);
  });
});
