import path from 'node:path';
import { rawGet, startConsumerServer, stopServersAfterEach } from '@exercise-pipeline/test/consumer';
import { createTempDir, type TempDir, trackResource } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogDb, openCatalogDb } from '../catalog/database.js';
import { migrateCatalog } from '../catalog/migrate.js';
import type { EnsureRender } from '../render/ensure-render.js';
import { createPipelineMetrics } from './pipeline-metrics.js';
import { createHttpServer } from './server.js';

let temp: TempDir;
let db: CatalogDb;
let closeDb: () => Promise<void>;

beforeAll(async () => {
  temp = await createTempDir('consumer-http');
  db = await openCatalogDb({ dataDir: path.join(temp.path, 'data') });
  closeDb = trackResource('database', 'pglite consumer-http', () => db.close()).close;
  await migrateCatalog(db);
});

afterAll(async () => {
  await closeDb();
  await temp.remove();
});

stopServersAfterEach();

/** These tests never reach a render. */
const noRenders: Pick<EnsureRender, 'ensure'> = {
  ensure: () => Promise.reject(new Error('no render expected in this test')),
};

function start(options: Partial<Parameters<typeof startConsumerServer>[0]> = {}) {
  return startConsumerServer({
    db,
    ensureRender: noRenders,
    dataDir: path.join(temp.path, 'data'),
    ...options,
  });
}

describe('consumer HTTP server', () => {
  it('answers /healthz with 200', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when the catalog and every check are reachable, 503 naming a failed one', async () => {
    const healthy = await start({ readinessChecks: { queue: async () => {} } });
    const ok = await fetch(`${healthy.url}/readyz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      ready: true,
      status: 'ready',
      checks: { catalog: { ok: true }, queue: { ok: true } },
    });

    const broken = await start({
      readinessChecks: {
        queue: () => Promise.reject(new Error('AWS.SimpleQueueService.NonExistentQueue')),
      },
    });
    const failed = await fetch(`${broken.url}/readyz`);
    expect(failed.status).toBe(503);
    const body = (await failed.json()) as { ready: boolean; checks: Record<string, Record<string, unknown>> };
    expect(body).toMatchObject({
      ready: false,
      status: 'not-ready',
      checks: {
        catalog: { ok: true },
        queue: { ok: false, error: 'AWS.SimpleQueueService.NonExistentQueue' },
      },
    });
    expect(Date.parse(String(body.checks.queue!.since))).not.toBeNaN();
  });

  it('answers /readyz with 503 once the catalog database is closed', async () => {
    const dir = await createTempDir('readyz-db');
    const own = await openCatalogDb({ dataDir: dir.path });
    const tracked = trackResource('database', 'pglite readyz', () => own.close());
    const { url, server } = await start({ db: own, readiness: { intervalMs: 60_000 } });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    await tracked.close();
    await server.readiness.refresh();
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: { catalog: { ok: boolean; error: string } } };
    expect(body.checks.catalog.ok).toBe(false);
    expect(body.checks.catalog.error).toMatch(/^the catalog database did not answer SELECT 1: /);
    await dir.remove();
  });

  it('exposes the pipeline metrics in the Prometheus text format', async () => {
    const metrics = createPipelineMetrics({ db, oldestMessageAgeSeconds: () => 42 });
    metrics.messagesReceived.inc();
    metrics.messagesFailed.inc({ retryable: 'true' });
    metrics.observeRender({
      exercise: 'squat',
      language: 'ro',
      recipeHash: 'h',
      assetVersion: 1,
      outcome: 'ready',
      seconds: 3.5,
    });
    const { url } = await start({ metrics });
    await fetch(`${url}/healthz`);

    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    for (const line of [
      '# TYPE exercise_pipeline_messages_received_total counter',
      'exercise_pipeline_messages_received_total 1',
      'exercise_pipeline_messages_processed_total 0',
      'exercise_pipeline_messages_failed_total{retryable="true"} 1',
      '# TYPE exercise_pipeline_messages_deferred_total counter',
      'exercise_pipeline_oldest_message_age_seconds 42',
      '# TYPE exercise_pipeline_render_duration_seconds histogram',
      'exercise_pipeline_render_duration_seconds_bucket{outcome="ready",le="5"} 1',
      'exercise_pipeline_render_duration_seconds_bucket{outcome="ready",le="2.5"} 0',
      'exercise_pipeline_render_duration_seconds_count{outcome="ready"} 1',
      'exercise_pipeline_renders{status="ready"} 0',
      'exercise_pipeline_http_requests_total{route="/healthz",method="GET",status="200"} 1',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('answers an unknown path with 404 and a JSON error', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/v2/nothing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('serves the status page at / and refuses asset paths that climb out', async () => {
    const { url, port } = await start();
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>');

    expect((await rawGet(port, '/assets/../server.ts')).status).toBe(400);
    expect((await rawGet(port, '/assets/%2e%2e/server.ts')).status).toBe(400);
    expect((await rawGet(port, '/assets/missing.js')).status).toBe(404);
  });

  it('lets a running request finish on stop() and refuses new connections afterwards', async () => {
    let release: () => void = () => {};
    const server = createHttpServer({
      port: 0,
      host: '127.0.0.1',
      shutdownTimeoutMs: 5000,
      routes: [
        {
          method: 'GET',
          path: '/slow',
          handler: async ({ res }) => {
            await new Promise<void>((resolve) => {
              release = resolve;
            });
            res.end('finished');
          },
        },
      ],
    });
    const { url } = await server.start();
    const tracked = trackResource('server', 'slow server', () => server.stop());

    const slow = fetch(`${url}/slow`).then((r) => r.text());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopping = server.stop();
    expect(server.stopping).toBe(true);
    release();

    expect(await slow).toBe('finished');
    await stopping;
    await expect(fetch(`${url}/slow`)).rejects.toThrow();
    await tracked.close();
  });

  it('closes connections still open at the shutdown deadline', async () => {
    const server = createHttpServer({
      port: 0,
      host: '127.0.0.1',
      shutdownTimeoutMs: 200,
      routes: [{ method: 'GET', path: '/hang', handler: () => new Promise<void>(() => {}) }],
    });
    const { url } = await server.start();
    const tracked = trackResource('server', 'hanging server', () => server.stop());
    const hanging = fetch(`${url}/hang`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await hanging).toBeInstanceOf(Error);
    await tracked.close();
  });
});

describe('createHttpServer address', () => {
  it('listens on 127.0.0.1 unless told otherwise, and names the address it bound', async () => {
    const server = createHttpServer({ port: 0, routes: [] });
    const started = await server.start();
    try {
      expect(started.address).toBe('127.0.0.1');
      expect(started.url).toBe(`http://127.0.0.1:${started.port}`);
    } finally {
      await server.stop();
    }
  });
});
