import type { CatalogDb, RenderRow } from '@exercise-pipeline/render-consumer/catalog';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  changeOneObject,
  exerciseRow,
  LANGUAGES,
  type Pipeline,
  previewNoticeFields,
  refreshExercise,
  rendersOf,
  useCatalogRuns,
  waitFor,
  waitForPreviews,
} from './consumer-helpers.js';

const catalogRuns = useCatalogRuns('consumer-transcode');
const SLUG = 'ridicari-laterale';
const FAILURE = 'Transcoding failed: the audio stream could not be decoded.';

/**
 * Samples the catalog every 100 ms and records every moment its preview pointed at a render whose
 * Bunny video was not finished (status 4) or whose row was not ready.
 */
function watchCatalog(pipeline: Pipeline, db: CatalogDb) {
  const violations: string[] = [];
  const seen = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const exercise = await exerciseRow(db, SLUG).catch(() => undefined);
      const renders = await rendersOf(db, SLUG).catch(() => [] as RenderRow[]);
      for (const render of renders) seen.add(`v${render.asset_version}:${render.status}`);
      const pointed = renders.find((render) => render.id === exercise?.catalog_render_id);
      if (exercise?.catalog_render_id != null) {
        const video = pipeline.bunny.videos().find((candidate) => candidate.guid === pointed?.bunny_video_id);
        if (pointed?.status !== 'ready' || video?.status !== 4) {
          violations.push(
            `catalog → render ${exercise.catalog_render_id} (${pointed?.status}), Bunny status ${String(video?.status)}`,
          );
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    violations,
    seen,
    async stop() {
      running = false;
      await loop;
    },
  };
}

const primaryOf = (renders: RenderRow[], version: number) =>
  renders.find((render) => render.asset_version === version && render.language === LANGUAGES[0])!;

describe.each([
  { catalog: 'postgres', learn: 'webhook', name: 'PostgreSQL, learning from the webhook' },
  { catalog: 'pglite', learn: 'poll', name: 'PGlite, learning by polling (no webhook)' },
] as const)('Bunny transcodes on $name', ({ catalog, learn }) => {
  const run = catalogRuns.open({
    catalog,
    slug: SLUG,
    bunny: { transcodingAfterMs: 800, finishedAfterMs: 2500 },
    // With the webhook, polling would only start after an hour: the webhook alone must finish renders.
    overrides: learn === 'webhook' ? { transcodePollSeconds: 3600 } : { transcodePollSeconds: 1 },
  });
  beforeAll(() => {
    if (learn === 'webhook') run.pipeline.bunny.setWebhookUrl(`${run.service.url}/v1/bunny/webhook`);
  });

  it('keeps a new exercise out of the catalog until Bunny has finished its preview', async () => {
    const catalogWatch = watchCatalog(run.pipeline, run.db);
    const synced = await run.sync(SLUG, run.bundleDir);
    const ready = await waitForPreviews(run.db, SLUG, 1);
    await catalogWatch.stop();

    expect(catalogWatch.violations).toEqual([]);
    expect(catalogWatch.seen).toContain('v1:encoding');
    expect((await exerciseRow(run.db, SLUG))?.catalog_render_id).toBe(primaryOf(ready, 1).id);
    for (const render of ready) {
      const video = run.pipeline.bunny.videos().find((candidate) => candidate.guid === render.bunny_video_id);
      expect(video?.status).toBe(4);
      // The thumbnail is taken inside the first rep block (left 5 reps of 0.2 s after a 0.5 s intro).
      expect(video?.thumbnailTime).toBeGreaterThan(500);
      expect(video?.thumbnailTime).toBeLessThan(1500);
      expect(render.encode_progress).toBe(100);
    }
    const polls = run.pipeline.bunny.requestsTo('GET', /^\/videos\/[^/]+$/);
    if (learn === 'webhook') {
      expect(polls).toEqual([]);
      await run.pipeline.bunny.webhooksAnswered();
      expect(run.pipeline.bunny.webhooks.length).toBeGreaterThan(0);
      expect(run.pipeline.bunny.webhooks.every((call) => call.answer === 200)).toBe(true);
    } else {
      expect(polls.length).toBeGreaterThan(0);
      expect(run.pipeline.bunny.webhooks).toEqual([]);
    }
    await run.queueDrained();
    const events = await run.renderEvents(LANGUAGES.length, 'Render Ready of version 1');
    const ready1 = events.filter((event) => event.type === 'render-ready');
    expect(ready1.map((event) => (event as { language: string }).language).sort()).toEqual(
      [...LANGUAGES].sort(),
    );
    // What the agent's preview notices need: the marker, the synced fingerprint, the link to open.
    const fields = previewNoticeFields(ready1, ready, synced.fingerprint);
    expect(fields.actual).toEqual(fields.expected);
  });

  it('moves the preview to the new version only once it plays, then supersedes the old one', async () => {
    const before = primaryOf(await rendersOf(run.db, SLUG), 1);
    const catalogWatch = watchCatalog(run.pipeline, run.db);
    await changeOneObject(run.bundleDir);
    await run.sync(SLUG, run.bundleDir);
    // While version 2 encodes, the catalog keeps version 1's preview, still ready and published.
    await waitFor('version 2 encoding', async () =>
      (await rendersOf(run.db, SLUG)).some(
        (render) => render.asset_version === 2 && render.status === 'encoding',
      ),
    );
    expect((await exerciseRow(run.db, SLUG))?.catalog_render_id).toBe(before.id);
    expect((await rendersOf(run.db, SLUG)).find((render) => render.id === before.id)?.status).toBe('ready');

    const ready = await waitForPreviews(run.db, SLUG, 2);
    await catalogWatch.stop();
    expect(catalogWatch.violations).toEqual([]);
    expect((await exerciseRow(run.db, SLUG))?.catalog_render_id).toBe(primaryOf(ready, 2).id);
    const old = (await rendersOf(run.db, SLUG)).filter((render) => render.asset_version === 1);
    expect(old.map((render) => render.status)).toEqual(['superseded', 'superseded']);
    expect(old.every((render) => render.delete_after !== null)).toBe(true);
    await run.queueDrained();
  });

  it('re-uploads a failed transcode once, then fails with Bunny’s message and keeps the previous preview', async () => {
    const previous = primaryOf(await rendersOf(run.db, SLUG), 2);
    run.pipeline.bunny.failNextTranscodes(2 * LANGUAGES.length, FAILURE);
    const catalogWatch = watchCatalog(run.pipeline, run.db);
    await refreshExercise(run.pipeline, SLUG, { force: true });
    const failed = await waitFor(
      'both version 3 previews failed twice',
      async () => {
        const renders = (await rendersOf(run.db, SLUG)).filter((render) => render.asset_version === 3);
        return renders.length === LANGUAGES.length &&
          renders.every((render) => render.status === 'failed' && render.transcode_failures === 2)
          ? renders
          : undefined;
      },
      90_000,
    );
    await catalogWatch.stop();
    expect(catalogWatch.violations).toEqual([]);
    for (const render of failed) expect(render.error).toContain(FAILURE);
    const exercise = await exerciseRow(run.db, SLUG);
    expect(exercise?.catalog_render_id).toBe(previous.id);
    expect((await rendersOf(run.db, SLUG)).find((render) => render.id === previous.id)?.status).toBe('ready');
    // Two uploads per language, and Bunny keeps none of the failed videos.
    const v3Titles = (title: unknown) =>
      String(title).startsWith(`${SLUG} · `) && String(title).endsWith(' · v3');
    const uploads = run.pipeline.bunny
      .requestsTo('PUT', /^\/videos\/[^/]+$/)
      .filter((request) => request.status === 200);
    // Versions 1 and 2 uploaded once per language, version 3 twice.
    expect(uploads).toHaveLength(4 * LANGUAGES.length);
    // The failed videos are deleted right after the render is marked failed.
    await waitFor('no version 3 video left at Bunny', async () =>
      run.pipeline.bunny.videos().every((video) => !v3Titles(video.title)),
    );
    await run.queueDrained();
    // Version 2's Render Ready events come first on the observer queue, then version 3's failures.
    const events = await run.renderEvents(2 * LANGUAGES.length, 'Render Failed of version 3');
    const failures = events.filter((event) => event.type === 'render-failed');
    expect(failures.map((event) => (event as { language: string }).language).sort()).toEqual(
      [...LANGUAGES].sort(),
    );
  });
});
