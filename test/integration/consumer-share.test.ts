/**
 * Two consumers given one bundle's burst of events (its object events and "Bundle Synced") share its
 * languages: one renders each, at the same time, neither waits on the other's lease, and there is
 * still exactly one ready render per language. Each upload to the Bunny double is answered 1.5 s
 * late, as a slow upload holds a real render, so a consumer that rendered both languages in turn,
 * or waited for the other's render, would show.
 */

import path from 'node:path';
import { Writable } from 'node:stream';
import type { CatalogDb } from '@exercise-pipeline/render-consumer/catalog';
import type { RenderService } from '@exercise-pipeline/render-consumer/service';
import { createLogger } from '@exercise-pipeline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES, openCatalog, rendersOf, usePipeline, waitForPreviews } from './consumer-helpers.js';

const world = usePipeline('consumer-share');
const UPLOAD_MS = 1500;

let db: CatalogDb;
const services: RenderService[] = [];
/** Each consumer's log records, by consumer. */
const logs: Record<string, unknown>[][] = [[], []];

function recordingLogger(records: Record<string, unknown>[]) {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.startsWith('{')) records.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return createLogger({ name: 'consumer-share', level: 'debug', destination, pretty: false });
}

beforeAll(async () => {
  for (const [i, records] of logs.entries()) {
    services.push(
      await world.startService(
        { databaseUrl: world.databaseUrl, dataDir: path.join(world.root, `consumer-${i}`) },
        { logger: recordingLogger(records) },
      ),
    );
  }
  db = await openCatalog(world.databaseUrl);
});

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await db?.close();
});

describe('two consumers and one bundle of two languages', () => {
  it('render one language each, at once, without waiting on each other', async () => {
    const slug = 'rotatii-umar';
    const dir = await world.bundle(slug);
    world.pipeline.bunny.delayNext(LANGUAGES.length, UPLOAD_MS, { method: 'PUT', path: /^\/videos\/[^/]+$/ });
    await world.sync(slug, dir);
    await waitForPreviews(db, slug, 1);

    const renders = await rendersOf(db, slug);
    expect(renders.map((render) => [render.language, render.asset_version, render.status]).sort()).toEqual(
      LANGUAGES.map((language) => [language, 1, 'ready']).sort(),
    );
    // Nothing was rendered twice and thrown away.
    expect(world.completedUploads(slug)).toEqual(renders.map((render) => render.bunny_video_id).sort());

    const started = (records: Record<string, unknown>[]) =>
      records.filter((record) => record.msg === 'render started').map((record) => record.language);
    expect(logs.map(started).map((languages) => languages.length)).toEqual([1, 1]);
    expect(logs.flatMap(started).sort()).toEqual([...LANGUAGES].sort());
    // The two slow uploads overlapped: each consumer handles one message at a time, so they ran in
    // two consumers side by side, not one after the other.
    const uploads = world.pipeline.bunny.requestsTo('PUT', /^\/videos\/[^/]+$/);
    expect(uploads).toHaveLength(2);
    expect(Math.abs(uploads[0]!.receivedAt - uploads[1]!.receivedAt)).toBeLessThan(UPLOAD_MS);
    // Neither consumer sat waiting for a render the other held.
    expect(logs.flat().filter((record) => String(record.msg).startsWith('waited for a render'))).toEqual([]);
  });
});
