/**
 * The consumer end to end on moto + the Bunny double, in this process, once on PostgreSQL and once on
 * the embedded PGlite catalog (the same SQL and the same tests): a synced bundle becomes one ready
 * catalog preview per language, a repeat changes nothing, one changed object bumps the asset version,
 * a burst of object events renders once, an operator's forced refresh bumps once even when it waits
 * for another consumer, and the HTTP surface agrees.
 */
import { readFile } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { listBundleFiles } from '@exercise-pipeline/ingest-agent/sync';
import { requestRefresh } from '@exercise-pipeline/render-consumer/ops';
import { describe, expect, it } from 'vitest';
import {
  bunnyVideosOf,
  changeOneObject,
  exerciseRow,
  LANGUAGES,
  makeBundle,
  parseMetrics,
  previewNoticeFields,
  queueDepth,
  readyPreviews,
  refreshExercise,
  renderEvents,
  rendersOf,
  useCatalogRuns,
  waitFor,
  waitForPreviews,
} from './consumer-helpers.js';

const catalogRuns = useCatalogRuns('consumer-sync');
const GRACE_SECONDS = 3600;
const SLUG = 'detensionari-lombare';

describe.each([
  { catalog: 'postgres', name: 'PostgreSQL' },
  { catalog: 'pglite', name: 'PGlite' },
] as const)('render consumer, one process on $name', ({ catalog }) => {
  // Each catalog gets its own bucket, queues, agent state and bundles on the file's moto server.
  const run = catalogRuns.open({ catalog, slug: SLUG, settings: { graceSeconds: GRACE_SECONDS } });

  it('turns a synced bundle into one ready preview per language and announces each', async () => {
    const synced = await run.sync(SLUG, run.bundleDir);
    expect(synced.eventPublished).toBe(true);

    const ready = await waitForPreviews(run.db, SLUG, 1);
    await run.queueDrained();

    expect(ready.map((render) => render.language).sort()).toEqual([...LANGUAGES].sort());
    const exercise = await exerciseRow(run.db, SLUG);
    expect(exercise).toMatchObject({
      asset_version: 1,
      status: 'active',
      asset_fingerprint: synced.fingerprint,
    });
    const primary = ready.find((render) => render.language === LANGUAGES[0]);
    expect(exercise?.catalog_render_id).toBe(primary?.id);
    expect(await rendersOf(run.db, SLUG)).toHaveLength(2);
    for (const render of ready) {
      expect(render.bunny_video_id).toBeTruthy();
      expect(render.playback_url).toBe(`https://vz-test.b-cdn.net/${render.bunny_video_id}/playlist.m3u8`);
      expect(run.pipeline.bunny.upload(render.bunny_video_id!)?.bytes).toBeGreaterThan(0);
    }

    const events = await run.renderEvents(2, 'two Render Ready events');
    expect(events.map((event) => event.type)).toEqual(['render-ready', 'render-ready']);
    expect(
      events.map((event) => (event.type === 'render-ready' ? [event.language, event.renderId] : [])).sort(),
    ).toEqual(ready.map((render) => [render.language, String(render.id)]).sort());
    // What the agent's preview notices need: the marker, the synced fingerprint, the link to open.
    const fields = previewNoticeFields(events, ready, synced.fingerprint);
    expect(fields.actual).toEqual(fields.expected);
  });

  it('renders nothing new when the same bundle arrives again', async () => {
    const before = await rendersOf(run.db, SLUG);
    const again = await run.sync(SLUG, run.bundleDir);
    expect(again.changed).toBe(false);
    // The agent skipped every file; put them again byte for byte, so the consumer does see events.
    for (const file of await listBundleFiles(run.bundleDir)) {
      await run.pipeline.clients.s3.send(
        new PutObjectCommand({
          Bucket: run.pipeline.topology.bucket,
          Key: `${SLUG}/${file.relativeKey}`,
          Body: await readFile(file.path),
        }),
      );
    }
    await waitFor(
      'the re-put object events to arrive',
      async () => (await queueDepth(run.pipeline.clients.sqs, run.pipeline.topology.queueUrl)) > 0,
      10_000,
      100,
    );
    await run.queueDrained();

    expect(await rendersOf(run.db, SLUG)).toEqual(before);
    expect((await exerciseRow(run.db, SLUG))?.asset_version).toBe(1);
    expect(await renderEvents(run.pipeline)).toEqual([]);
  });

  it('bumps the asset version for one changed object and supersedes the old previews', async () => {
    const old = await readyPreviews(run.db, SLUG, 1);
    await changeOneObject(run.bundleDir);
    const synced = await run.sync(SLUG, run.bundleDir);
    expect(synced.uploaded).toEqual([`${SLUG}/audio/${LANGUAGES[0]}/outro-vo-1.mp3`]);

    const ready = await waitForPreviews(run.db, SLUG, 2);
    await run.queueDrained();

    const all = await rendersOf(run.db, SLUG);
    expect(all).toHaveLength(4);
    for (const render of all.filter((row) => row.asset_version === 1)) {
      expect(render.status).toBe('superseded');
      const expected = render.updated_at.getTime() + GRACE_SECONDS * 1000;
      expect(Math.abs(render.delete_after!.getTime() - expected)).toBeLessThan(5_000);
      expect(Math.abs(render.delete_after!.getTime() - (Date.now() + GRACE_SECONDS * 1000))).toBeLessThan(
        60_000,
      );
    }
    const exercise = await exerciseRow(run.db, SLUG);
    expect(exercise?.asset_version).toBe(2);
    const primary = ready.find((render) => render.language === LANGUAGES[0]);
    expect(exercise?.catalog_render_id).toBe(primary?.id);
    expect(old.map((render) => render.id)).not.toContain(exercise?.catalog_render_id);

    const events = await run.renderEvents(2, 'Render Ready events of v2');
    expect(events.map((event) => (event.type === 'render-ready' ? event.assetVersion : 0))).toEqual([2, 2]);
  });

  it('renders once per language for 30 rapid object events of one exercise', async () => {
    const slug = 'ridicari-brate';
    const dir = await makeBundle(run.pipeline.root, slug);
    const files = await listBundleFiles(dir);
    // Media first, manifest last, like the agent; then the media again: 30 object events in all.
    const ordered = [...files].sort(
      (a, b) => Number(a.relativeKey === 'manifest.json') - Number(b.relativeKey === 'manifest.json'),
    );
    const puts = [...ordered, ...ordered.filter((file) => file.relativeKey !== 'manifest.json')].slice(0, 30);
    expect(puts).toHaveLength(30);
    const receivedBefore = parseMetrics(await (await fetch(`${run.service.url}/metrics`)).text());
    for (const file of puts) {
      await run.pipeline.clients.s3.send(
        new PutObjectCommand({
          Bucket: run.pipeline.topology.bucket,
          Key: `${slug}/${file.relativeKey}`,
          Body: await readFile(file.path),
        }),
      );
    }

    await waitForPreviews(run.db, slug, 1);
    await run.queueDrained();

    const renders = await rendersOf(run.db, slug);
    expect(renders.map((render) => [render.language, render.status, render.asset_version]).sort()).toEqual(
      LANGUAGES.map((language) => [language, 'ready', 1]).sort(),
    );
    expect(bunnyVideosOf(run.pipeline, slug).length).toBe(2);
    const after = parseMetrics(await (await fetch(`${run.service.url}/metrics`)).text());
    const received =
      (after.get('exercise_pipeline_messages_received_total') ?? 0) -
      (receivedBefore.get('exercise_pipeline_messages_received_total') ?? 0);
    expect(received).toBeGreaterThanOrEqual(30);
  });

  it('reports health, readiness and metrics that agree with the run', async () => {
    const health = await fetch(`${run.service.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${run.service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ready: true,
      status: 'ready',
      checks: { catalog: { ok: true }, queue: { ok: true } },
    });

    const metrics = parseMetrics(await (await fetch(`${run.service.url}/metrics`)).text());
    const received = metrics.get('exercise_pipeline_messages_received_total') ?? 0;
    const processed = metrics.get('exercise_pipeline_messages_processed_total') ?? 0;
    const deferred = metrics.get('exercise_pipeline_messages_deferred_total') ?? 0;
    const failed =
      (metrics.get('exercise_pipeline_messages_failed_total{retryable="true"}') ?? 0) +
      (metrics.get('exercise_pipeline_messages_failed_total{retryable="false"}') ?? 0);
    expect(received).toBeGreaterThan(60);
    expect(processed).toBeGreaterThan(0);
    expect(received).toBe(processed + deferred + failed);
    expect(failed).toBe(0);

    const rows = await run.db.query<{ status: string; count: string }>(
      'SELECT status, count(*) AS count FROM exercise_renders GROUP BY status',
    );
    for (const row of rows) {
      expect(metrics.get(`exercise_pipeline_renders{status="${row.status}"}`)).toBe(Number(row.count));
    }
    // Every render this process made: 2 + 2 of the first exercise, 2 of the second.
    expect(metrics.get('exercise_pipeline_render_duration_seconds_count{outcome="ready"}')).toBe(6);
    expect(metrics.get('exercise_pipeline_oldest_message_age_seconds')).toBe(0);
  });

  it('re-renders an unchanged bundle only when an operator forces it (consumer refresh)', async () => {
    const before = await exerciseRow(run.db, SLUG);
    const rendersBefore = (await rendersOf(run.db, SLUG)).length;
    const queueUrl = run.pipeline.topology.queueUrl;

    await requestRefresh({ sqs: run.pipeline.clients.sqs, queueUrl, exercise: SLUG, force: false });
    await run.queueDrained();
    expect((await exerciseRow(run.db, SLUG))?.asset_version).toBe(before?.asset_version);
    expect(await rendersOf(run.db, SLUG)).toHaveLength(rendersBefore);

    await requestRefresh({
      sqs: run.pipeline.clients.sqs,
      queueUrl,
      exercise: SLUG,
      force: true,
      requestedBy: 'test',
    });
    const version = (before?.asset_version ?? 0) + 1;
    const ready = await waitForPreviews(run.db, SLUG, version);
    await run.queueDrained();
    expect(ready.map((render) => render.language).sort()).toEqual([...LANGUAGES].sort());
    const after = await exerciseRow(run.db, SLUG);
    expect(after).toMatchObject({ asset_version: version, asset_fingerprint: before?.asset_fingerprint });
    expect(ready.map((render) => render.id)).toContain(after?.catalog_render_id);
    const previous = (await rendersOf(run.db, SLUG)).filter((render) => render.asset_version === version - 1);
    expect(previous.length).toBeGreaterThan(0);
    for (const render of previous) expect(render.status).toBe('superseded');
  });
  it('bumps once for a forced refresh that waits for another consumer to render a preview', async () => {
    const before = await exerciseRow(run.db, SLUG);
    const version = (before?.asset_version ?? 0) + 1;
    // Another consumer's unexpired lease on the first language's preview of the version the forced
    // bump will make: the forced message renders the other language, then defers for this one.
    const [taken] = await run.db.query<{ id: number }>(
      `INSERT INTO exercise_renders
         (exercise_id, recipe_hash, language, asset_version, recipe, status, lease_owner, lease_expires_at)
       SELECT exercise_id, recipe_hash, language, asset_version + 1, recipe, 'pending', 'another-consumer',
              now() + interval '3 seconds'
         FROM exercise_renders WHERE id = $1
       RETURNING id`,
      [before?.catalog_render_id],
    );
    const deferredBefore = parseMetrics(await (await fetch(`${run.service.url}/metrics`)).text()).get(
      'exercise_pipeline_messages_deferred_total',
    );

    await refreshExercise(run.pipeline, SLUG, { force: true, requestedBy: 'test' });
    const ready = await waitForPreviews(run.db, SLUG, version, LANGUAGES, 30_000);
    await run.queueDrained();

    const deferredAfter = parseMetrics(await (await fetch(`${run.service.url}/metrics`)).text()).get(
      'exercise_pipeline_messages_deferred_total',
    );
    expect(deferredAfter).toBeGreaterThan(deferredBefore ?? 0);
    // The deferred copy (same body, force: true) finished the bump instead of making another one.
    const after = await exerciseRow(run.db, SLUG);
    expect(after?.asset_version).toBe(version);
    const renders = await rendersOf(run.db, SLUG);
    expect(Math.max(...renders.map((render) => render.asset_version))).toBe(version);
    const first = ready.find((render) => render.language === LANGUAGES[0]);
    expect(first?.id).toBe(taken?.id);
    expect(after?.catalog_render_id).toBe(first?.id);
  });
});
