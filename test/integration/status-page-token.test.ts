/**
 * The status page of a consumer that runs with COMPOSER_API_TOKEN, in headless Chromium: its data
 * answers 401 without the token, the page asks for it once, keeps it for the tab and shows the data.
 */
import { existsSync } from 'node:fs';
import { type CatalogDb, recordDelivery } from '@exercise-pipeline/render-consumer/catalog';
import type { EnsureRender } from '@exercise-pipeline/render-consumer/render';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TrackedResource, useMotoServer } from '../harness/index.js';
import { CHROMIUM, launchChromium, openStatusCatalog, startStatusServer } from './status-page-helpers.js';

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
  const catalog = await openStatusCatalog(opened, 'status-page-token', moto.endpoint);
  db = catalog.db;
  await recordDelivery(db, {
    outcome: 'refused',
    delivery: '003 Bird Dog',
    host: 'nas-studio-2',
    reasons: [{ problem: 'has no voice-over for "en"', fix: 'add the English counting master' }],
  });
  baseUrl = await startStatusServer(opened, catalog, { ensureRender: noRenders, apiToken: TOKEN });
  browser = await launchChromium(opened, 'chromium-profile-token', {
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
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
