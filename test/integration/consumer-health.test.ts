/**
 * Health under scale, against real parts: a consumer renders a synced bundle on PostgreSQL while the
 * Bunny double holds its upload, and `/metrics` and the status page (in headless Chromium) show the
 * render in flight and the lease it holds under the consumer's id. Then `/readyz` follows its
 * dependencies: moto frozen (SIGSTOP), moto stopped and started again on the same port, and the
 * catalog database refusing connections — 503 naming the unreachable one and since when, answered
 * at once every time, and 200 again once it answers.
 */
import path from 'node:path';
import { ensureLocalTopology } from '@exercise-pipeline/infra';
import pg from 'pg';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAwsClients,
  createTempDir,
  type MotoServer,
  startMotoServer,
  trackResource,
  useTempDir,
  useTestAwsEnv,
  useTestDatabase,
} from '../harness/index.js';
import {
  makeBundle,
  openPipeline,
  type Pipeline,
  parseMetrics,
  startService,
  syncAs,
  waitFor,
  waitForPreviews,
} from './consumer-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const SLUG = 'rotatii-umeri';
const database = useTestDatabase('consumer_health');
const temp = useTempDir('consumer-health');

let moto: MotoServer;
let pipeline: Pipeline;
let service: Awaited<ReturnType<typeof startService>>;
// This file starts its own moto (it stops and restarts it), so it sets the dummy credentials too.
useTestAwsEnv();

beforeAll(async () => {
  moto = await startMotoServer('consumer-health');
  pipeline = await openPipeline(moto.endpoint, temp.path);
  service = await startService(
    pipeline,
    { databaseUrl: database.url, dataDir: path.join(temp.path, 'data') },
    { readiness: { intervalMs: 250, timeoutMs: 1000 } },
  );
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
  await moto?.stop();
});

interface Readyz {
  status: number;
  ms: number;
  body: {
    ready: boolean;
    status: string;
    checks: Record<string, { ok: boolean; error?: string; since: string }>;
  };
}

async function readyz(): Promise<Readyz> {
  const began = performance.now();
  const answer = await fetch(`${service.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return {
    status: answer.status,
    body: (await answer.json()) as Readyz['body'],
    ms: performance.now() - began,
  };
}

/**
 * Polls /readyz until it answers `status` (and `also` holds of the answer); every answer must come
 * within 2 s, whatever the endpoints do.
 */
async function readyzUntil(
  status: number,
  what: string,
  also: (answer: Readyz) => boolean = () => true,
): Promise<Readyz> {
  let slowest = 0;
  const found = await waitFor(
    what,
    async () => {
      const answer = await readyz();
      slowest = Math.max(slowest, answer.ms);
      return answer.status === status && also(answer) ? answer : undefined;
    },
    30_000,
  );
  expect(slowest, 'readyz answers at once from the cached probes').toBeLessThan(2000);
  return found;
}

async function asAdmin(sql: string): Promise<void> {
  const admin = new URL(database.url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Waits until `/metrics` shows `count` renders in flight and `count` leases held under `owner`. */
function consumerGaugesReach(owner: string, count: number): Promise<true> {
  return waitFor(
    `${count} render(s) in flight and ${count} lease(s) held by ${owner}`,
    async () => {
      const metrics = parseMetrics(await (await fetch(`${service.url}/metrics`)).text());
      return (
        metrics.get(`exercise_pipeline_consumer_renders_in_flight{consumer="${owner}"}`) === count &&
        metrics.get(`exercise_pipeline_consumer_leases_held{consumer="${owner}"}`) === count
      );
    },
    60_000,
  );
}

describe('a render in flight, seen by /metrics and the status page', () => {
  it('shows the held lease and the in-flight render under this consumer id, then both drop to 0', async () => {
    const owner = service.ensureRender.owner;
    const hold = pipeline.bunny.holdNextUpload();
    // One language: one catalog preview, so the held render is the only one in flight.
    await syncAs(pipeline, SLUG, await makeBundle(temp.path, SLUG, ['ro']));
    const videoId = await hold.arrived;
    const [held] = await service.db.query<{ id: number; language: string; lease_owner: string }>(
      'SELECT id, language, lease_owner FROM exercise_renders WHERE bunny_video_id = $1',
      [videoId],
    );
    expect(held?.lease_owner).toBe(owner);

    await consumerGaugesReach(owner, 1);

    const profile = await createTempDir('chromium-profile');
    const browser: BrowserContext = await chromium.launchPersistentContext(profile.path, {
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      headless: true,
    });
    const closeBrowser = trackResource('browser', 'headless chromium', async () => {
      await browser.close();
      await profile.remove();
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${service.url}/`);
      const row = page.locator(`#consumers-table tr[data-render-id="${held!.id}"]`);
      await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
      expect(await row.getAttribute('data-holder')).toBe(owner);
      expect(await row.getAttribute('class')).toBe('lease-self');
      const cells = await row.locator('td').allInnerTexts();
      expect(cells.slice(0, 4)).toEqual([`${owner} (this consumer)`, String(held!.id), SLUG, held!.language]);
      expect(cells[5]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d in \d+ s$/);
      const summary = await page.locator('#consumers-summary').textContent();
      expect(summary).toBe(
        `This consumer: ${owner} · 1 render in flight · 1 lease held · 1 consumer holding a lease now`,
      );
    } finally {
      await closeBrowser.close();
    }

    hold.release();
    await waitForPreviews(service.db, SLUG, 1, ['ro'], 60_000);
    await consumerGaugesReach(owner, 0);
  }, 180_000);
});

describe('/readyz follows SQS and the catalog', () => {
  it('turns 503 naming the catalog while its database refuses connections, and ready once it accepts them', async () => {
    await readyzUntil(200, 'readyz to report ready before the catalog goes away');
    await asAdmin(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS false`);
    try {
      await asAdmin(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database.name}' AND pid <> pg_backend_pid()`,
      );
      // The first failed probe may meet the pool's terminated connection ("Connection terminated");
      // the ones after it meet the refusal itself.
      const down = await readyzUntil(503, 'readyz to report the catalog refusing connections', (answer) =>
        (answer.body.checks.catalog?.error ?? '').includes('is not currently accepting connections'),
      );
      expect(down.body.checks.catalog).toMatchObject({ ok: false });
      expect(down.body.checks.catalog!.error).toContain('the catalog database did not answer SELECT 1');
      expect(down.body.checks.catalog!.error).toContain(
        `"${database.name}" is not currently accepting connections`,
      );
      expect(down.body.checks.queue).toMatchObject({ ok: true });
    } finally {
      await asAdmin(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS true`);
    }
    await readyzUntil(200, 'readyz to recover once the catalog accepts connections');
  }, 60_000);

  it('turns 503 naming the queue while moto is frozen, and ready once it answers again', async () => {
    await readyzUntil(200, 'readyz to report ready before moto freezes');
    process.kill(moto.pid!, 'SIGSTOP');
    try {
      const frozen = await readyzUntil(503, 'readyz to report the frozen queue');
      expect(frozen.body.checks.queue).toMatchObject({ ok: false });
      expect(frozen.body.checks.queue!.error).toMatch(
        new RegExp(`^the render queue ${pipeline.topology.queueUrl} did not answer within 1000 ms`),
      );
      expect(frozen.body.checks.catalog).toMatchObject({ ok: true });
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    } finally {
      process.kill(moto.pid!, 'SIGCONT');
    }
    await readyzUntil(200, 'readyz to recover once moto answers');
  }, 60_000);

  // Last: the moto brought back is this test's own and stops with it.
  it('turns 503 naming the queue while moto is stopped, and ready once it runs again on the same port', async () => {
    const stoppedAt = Date.now();
    await moto.stop();
    const down = await readyzUntil(503, 'readyz to report the stopped queue');
    expect(down.body).toMatchObject({ ready: false, status: 'not-ready', checks: { catalog: { ok: true } } });
    expect(down.body.checks.queue).toMatchObject({ ok: false });
    expect(down.body.checks.queue!.error).toContain(
      `GetQueueAttributes on ${pipeline.topology.queueUrl} failed`,
    );
    expect(Date.parse(down.body.checks.queue!.since)).toBeGreaterThanOrEqual(stoppedAt - 1000);

    const again = await startMotoServer('consumer-health again', moto.port);
    // A new moto starts empty: the queue comes back under the same name, hence the same URL.
    const clients = createAwsClients(again.endpoint);
    try {
      const topology = await ensureLocalTopology(clients, {
        bucket: pipeline.topology.bucket,
        queueName: pipeline.topology.queueUrl.split('/').pop()!,
        dlqName: pipeline.topology.dlqUrl.split('/').pop()!,
      });
      expect(topology.queueUrl).toBe(pipeline.topology.queueUrl);
      const back = await readyzUntil(200, 'readyz to recover once moto runs again');
      expect(back.body).toMatchObject({
        ready: true,
        checks: { queue: { ok: true }, catalog: { ok: true } },
      });
    } finally {
      await clients.close();
      await again.stop();
    }
  }, 90_000);
});
