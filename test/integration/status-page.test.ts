/**
 * The operators' status page in a real browser: Debian's Chromium (headless) driven by
 * playwright-core opens `/` of a consumer HTTP server whose catalog holds a real render (generated
 * bundle → composer → local publisher) and whose DLQ on moto holds a poisoned message.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Message, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { LocalTopology } from '@exercise-pipeline/infra';
import {
  bumpAssetVersion,
  type CatalogDb,
  ensureRenderRow,
  lockExercise,
  markRenderEncoding,
  noteTranscodeProgress,
  recordDelivery,
} from '@exercise-pipeline/render-consumer/catalog';
import { composeRecipe, LocalBundleSource } from '@exercise-pipeline/render-consumer/compose';
import { handleMessage } from '@exercise-pipeline/render-consumer/consumer';
import { LocalPublisher } from '@exercise-pipeline/render-consumer/publish';
import { type EnsuredRender, EnsureRender } from '@exercise-pipeline/render-consumer/render';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleSyncedBody, generateBundle, leftRightRecipe } from '../fixtures/index.js';
import { type AwsClients, type TempDir, type TrackedResource, useMotoServer } from '../harness/index.js';
import { failingHandleDeps } from './consumer-helpers.js';
import { CHROMIUM, launchChromium, openStatusCatalog, startStatusServer } from './status-page-helpers.js';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SLUG = 'detensionari-lombare';
const TRANSIENT_REASON = 'S3 GetObject timed out after 30000 ms';
const SCREENSHOT = '/tmp/status-page.png';
const H264_AAC = 'video/mp4; codecs="avc1.64001f,mp4a.40.2"';

const moto = useMotoServer('status-page');

let temp: TempDir;
let db: CatalogDb;
let clients: AwsClients & { close(): Promise<void> };
let topology: LocalTopology;
let ready: EnsuredRender;
let poisonId: string;
let baseUrl: string;
let browser: BrowserContext;
let page: Page;
/** Closed in reverse order of opening by afterAll. */
const opened: TrackedResource[] = [];
const pageErrors: string[] = [];

/** Receives from the render queue with no visibility hold, so every receive counts towards maxReceiveCount. */
async function receiveOnce(): Promise<Message | undefined> {
  const received = await clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: topology.queueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 0 }),
  );
  return received.Messages?.[0];
}

/** A "Bundle Synced" message whose handling fails every time, until the redrive policy moves it to the DLQ. */
async function poisonTheDeadLetterQueue(): Promise<string> {
  const body = bundleSyncedBody('plank-hold', topology.bucket);
  const sent = await clients.sqs.send(
    new SendMessageCommand({ QueueUrl: topology.queueUrl, MessageBody: body }),
  );
  const deps = failingHandleDeps(db, clients.sqs, topology, topology.bucket, TRANSIENT_REASON);
  for (let attempt = 1; attempt <= 5; attempt++) {
    const message = await receiveOnce();
    expect(message?.MessageId).toBe(sent.MessageId);
    await expect(handleMessage(deps, message!)).rejects.toThrow(TRANSIENT_REASON);
  }
  // The sixth receive finds the count spent: moto moves the message to the DLQ instead.
  expect(await receiveOnce()).toBeUndefined();
  return sent.MessageId!;
}

async function renderOnePreview(
  dataDir: string,
  bundleDir: string,
): Promise<{ ensureRender: EnsureRender; ready: EnsuredRender }> {
  await generateBundle(bundleDir, {
    width: 160,
    height: 90,
    fps: 15,
    repSeconds: 0.5,
    framingSeconds: 1,
    countsPerMaster: 10,
  });
  await db.transaction(async (tx) => {
    const row = await lockExercise(tx, SLUG);
    await bumpAssetVersion(tx, row.id, 'e'.repeat(64));
  });
  const ensureRender = new EnsureRender({
    db,
    bundleSourceFor: () => new LocalBundleSource(bundleDir),
    compose: composeRecipe,
    publisher: new LocalPublisher({ dataDir }),
    dataDir,
  });
  const rendered = await ensureRender.ensure({
    recipeInput: leftRightRecipe(SLUG, [5, 5], 7),
  });
  return { ensureRender, ready: rendered };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium ('apt-get install -y chromium' as root; test/check.sh does it through test/tools/ensure-tools.sh chromium)`,
    );
  }
  const catalog = await openStatusCatalog(opened, 'status-page', moto.endpoint);
  ({ temp, db, clients, topology } = catalog);
  const { dataDir } = catalog;

  const preview = await renderOnePreview(dataDir, path.join(temp.path, 'bundle'));
  ready = preview.ready;
  poisonId = await poisonTheDeadLetterQueue();
  await recordDelivery(db, {
    outcome: 'refused',
    delivery: '002 Plank Hold',
    host: 'nas-studio-1',
    reasons: [
      {
        file: '002 Plank Hold - Intro.mov',
        problem: 'is a QuickTime file, not mp4',
        fix: 'export it again as H.264 mp4',
      },
      { problem: 'has no right-side rep videos', fix: 'add "002 Plank Hold - 5 Dreapta.mp4"' },
    ],
  });

  baseUrl = await startStatusServer(opened, catalog, {
    ensureRender: preview.ensureRender,
    dlqCacheMs: 2000,
  });
  browser = await launchChromium(opened, 'chromium-profile', {
    args: CHROMIUM_ARGS,
    viewport: { width: 1360, height: 900 },
  });
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${baseUrl}/`);
}, 180_000);

afterAll(async () => {
  for (const resource of opened.reverse()) await resource.close();
});

describe('status page in headless Chromium', () => {
  it('plays a ready render in the preview player (H.264 through hls.js)', async () => {
    // The test's TypeScript has no DOM types, so in-page code is passed as expressions.
    const codecs = await page.evaluate(
      `({ mse: MediaSource.isTypeSupported(${JSON.stringify(H264_AAC)}), hlsJs: Boolean(window.Hls && window.Hls.isSupported()) })`,
    );
    expect(codecs, `this Chromium cannot decode ${H264_AAC} through Media Source Extensions`).toEqual({
      mse: true,
      hlsJs: true,
    });

    const play = page.locator(`#renders-table button[data-render-id="${ready.render.id}"]`);
    await expect.poll(() => play.count(), { timeout: 15_000 }).toBe(1);
    // The button's name says which render it plays, for screen readers too.
    expect(await play.textContent()).toBe(`Play render ${ready.render.id} (${SLUG}, ro)`);
    await play.click();
    await page.waitForFunction(
      `(() => {
      const video = document.querySelector('#player');
      return video !== null && !video.paused && video.readyState >= 3 && video.currentTime > 0;
    })()`,
      undefined,
      { timeout: 20_000 },
    );
    expect(await page.locator('#player-message').textContent()).toBe(`Playing render ${ready.render.id}.`);
    expect(await page.locator('#player-engine').textContent()).toContain('hls.js');
    expect(pageErrors).toEqual([]);
  });

  it('plays the render a "Preview ready" link names (/#render=<id>) once the page has loaded', async () => {
    const linked = await browser.newPage();
    try {
      await linked.goto(`${baseUrl}/#render=${ready.render.id}`);
      await linked.waitForFunction(
        `(() => {
        const video = document.querySelector('#player');
        return video !== null && video.readyState >= 2 && video.currentTime > 0;
      })()`,
        undefined,
        { timeout: 20_000 },
      );
      const row = linked.locator(`#renders-table tr[data-render-id="${ready.render.id}"]`);
      expect(await row.getAttribute('class')).toContain('is-playing');
    } finally {
      await linked.close();
    }
  });

  it('lists the poisoned message of the DLQ with its id and reason', async () => {
    const row = page.locator(`#dlq-table tr[data-message-id="${poisonId}"]`);
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    const cells = await row.locator('td').allInnerTexts();
    expect(cells[0]).toBe(poisonId);
    expect(cells[1]).toBe('plank-hold');
    expect(cells[2]).toBe(TRANSIENT_REASON);
    expect(await page.locator('#dlq-depth').textContent()).toBe('1');
  });

  it('shows every reason of a refused delivery: file, problem and fix', async () => {
    const refused = page.locator('#deliveries-table tr.delivery-refused');
    await expect.poll(() => refused.count()).toBe(1);
    const reasons = await refused.locator('ul.reasons li').allInnerTexts();
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toContain('002 Plank Hold - Intro.mov');
    expect(reasons[0]).toContain('is a QuickTime file, not mp4');
    expect(reasons[0]).toContain('Fix: export it again as H.264 mp4');
    expect(reasons[1]).toContain('whole delivery');
    expect(reasons[1]).toContain('Fix: add "002 Plank Hold - 5 Dreapta.mp4"');
  });

  it('shows a delivery recorded after the page loaded without a reload', async () => {
    await page.evaluate('window.loadedOnce = true');
    await recordDelivery(db, {
      outcome: 'synced',
      exercise: 'late-arrival',
      changed_keys: ['late-arrival/manifest.json'],
      findings: [
        {
          kind: 'black',
          file: 'Late Arrival - Intro.mp4',
          atSeconds: 0,
          untilSeconds: 3.2,
          action: 'warn',
          message:
            'Late Arrival - Intro.mp4: black picture from 0.0 s to 3.2 s — trim the black start or re-export the clip',
        },
      ],
    });
    const late = page.locator('#deliveries-table tr.delivery-synced', { hasText: 'late-arrival' });
    await expect.poll(() => late.count(), { timeout: 15_000 }).toBe(1);
    // The agent's picture and sound findings are listed with the delivery.
    expect(await late.locator('ul.findings li[data-finding-kind="black"]').allInnerTexts()).toEqual([
      'warning Late Arrival - Intro.mp4: black picture from 0.0 s to 3.2 s — trim the black start or re-export the clip',
    ]);
    expect(await page.evaluate('window.loadedOnce')).toBe(true);
    // The player was left alone by the refreshes.
    expect(await page.evaluate("document.querySelector('#player').currentTime")).toBeGreaterThan(0);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it("shows a render Bunny is still transcoding with Bunny's progress, and offers no play button", async () => {
    const row = await ensureRenderRow(
      db,
      {
        exerciseId: ready.exercise.id,
        recipeHash: 'f'.repeat(64),
        language: 'ro',
        assetVersion: ready.render.asset_version,
      },
      { exercise: SLUG },
    );
    await markRenderEncoding(db, row.id, {
      bunnyVideoId: '5b0f1c7e-0000-4000-8000-000000000001',
      playbackUrl: 'https://vz-test.b-cdn.net/5b0f1c7e-0000-4000-8000-000000000001/playlist.m3u8',
      durationSeconds: 12,
    });
    await noteTranscodeProgress(db, row.id, 45);
    const shown = page.locator(`#renders-table tr[data-render-id="${row.id}"]`);
    await expect.poll(() => shown.count(), { timeout: 15_000 }).toBe(1);
    const cells = await shown.locator('td').allInnerTexts();
    expect(cells[3]).toBe('encoding 45 %');
    expect(await shown.locator('button.play').count()).toBe(0);
    expect(await page.locator('#render-note').textContent()).toContain('1 encoding');
  });

  it('shows an error banner while the API fails and hides it once it answers again', async () => {
    const banner = page.locator('#error-banner');
    expect(await banner.isVisible()).toBe(false);
    await page.route('**/api/status', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'catalog database unreachable' } }),
      }),
    );
    await expect.poll(() => banner.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await banner.textContent()).toContain('HTTP 503: catalog database unreachable');
    // The last good data stays on the page.
    expect(await page.locator(`#dlq-table tr[data-message-id="${poisonId}"]`).count()).toBe(1);

    await page.unroute('**/api/status');
    await expect.poll(() => banner.isVisible(), { timeout: 15_000 }).toBe(false);
    expect(pageErrors).toEqual([]);
  });
});
