/**
 * The status page of a consumer that runs with COMPOSER_API_TOKEN, in headless Chromium: its data
 * answers 401 without the token, the page asks for it once, keeps it for the tab and shows the data.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureLocalTopology } from '@exercise-pipeline/infra';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogDb, openCatalogDb } from '@exercise-pipeline/render-consumer/catalog';
import { recordDelivery } from '@exercise-pipeline/render-consumer/catalog';
import { migrateCatalog } from '@exercise-pipeline/render-consumer/catalog';
import { createConsumerHttpServer } from '@exercise-pipeline/render-consumer/http';
import { createPipelineMetrics } from '@exercise-pipeline/render-consumer/http';
import type { EnsureRender } from '@exercise-pipeline/render-consumer/render';
import { createStatusRoutes } from '@exercise-pipeline/render-consumer/status';
import {
  createAwsClients,
  createTempDir,
  type TrackedResource,
  trackResource,
  uniqueName,
  useMotoServer,
} from '../harness/index.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'page-token-for-the-tests';
const moto = useMotoServer('status-page-token');
const opened: TrackedResource[] = [];

let db: CatalogDb;
let baseUrl: string;
let browser: BrowserContext;

const noRenders: Pick<EnsureRender, 'ensure'> = {
  ensure: () => Promise.reject(new Error('no render in this test')),
};

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const temp = await createTempDir('status-page-token');
  opened.push(trackResource('temp-dir', temp.path, () => temp.remove()));
  const dataDir = path.join(temp.path, 'data');
  db = await openCatalogDb({ dataDir });
  opened.push(trackResource('database', `pglite ${dataDir}`, () => db.close()));
  await migrateCatalog(db);
  await recordDelivery(db, {
    outcome: 'refused',
    delivery: '003 Bird Dog',
    host: 'nas-studio-2',
    reasons: [{ problem: 'has no voice-over for "en"', fix: 'add the English counting master' }],
  });
  const clients = createAwsClients(moto.endpoint);
  opened.push(trackResource('aws-clients', moto.endpoint, () => clients.close()));
  const topology = await ensureLocalTopology(clients, {
    bucket: uniqueName('assets'),
    queueName: uniqueName('renders'),
    dlqName: uniqueName('renders-dlq'),
  });
  const server = createConsumerHttpServer({
    port: 0,
    host: '127.0.0.1',
    db,
    ensureRender: noRenders,
    metrics: createPipelineMetrics({ db }),
    dataDir,
    apiToken: TOKEN,
    extraRoutes: createStatusRoutes({
      db,
      sqs: clients.sqs,
      queueUrl: topology.queueUrl,
      dlqUrl: topology.dlqUrl,
    }),
    shutdownTimeoutMs: 2000,
  });
  baseUrl = (await server.start()).url;
  opened.push(trackResource('server', `consumer http ${baseUrl}`, () => server.stop()));
  const profile = await createTempDir('chromium-profile-token');
  opened.push(trackResource('temp-dir', profile.path, () => profile.remove()));
  browser = await chromium.launchPersistentContext(profile.path, {
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    headless: true,
  });
  opened.push(trackResource('browser', 'headless chromium', () => browser.close()));
}, 180_000);

afterAll(async () => {
  for (const resource of opened.reverse()) await resource.close();
});

describe('status page with COMPOSER_API_TOKEN', () => {
  it('asks for the token once, keeps it for the tab, and shows the data', async () => {
    const anonymous = await fetch(`${baseUrl}/api/status`);
    expect(anonymous.status).toBe(401);

    const page = await browser.newPage();
    const prompts: string[] = [];
    page.on('dialog', (dialog) => {
      prompts.push(dialog.message());
      void dialog.accept(TOKEN);
    });
    await page.goto(`${baseUrl}/`);
    const refused = page.locator('#deliveries-table tr.delivery-refused');
    await expect.poll(() => refused.count(), { timeout: 20_000 }).toBe(1);
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toContain('COMPOSER_API_TOKEN');

    // Reloads and polls send the kept token: no second question.
    await page.reload();
    await expect.poll(() => refused.count(), { timeout: 20_000 }).toBe(1);
    await page.locator('#refresh-now').click();
    await expect.poll(() => page.locator('#error-banner').isHidden()).toBe(true);
    expect(prompts).toHaveLength(1);
    expect(await page.evaluate('sessionStorage.getItem("exercise-consumer.token")')).toBe(TOKEN);
    await page.close();
  });
});
