import { setTimeout as sleep } from 'node:timers/promises';
import { RecipeInvalidError, recipeHash, recipeSchema } from '@exercise-pipeline/shared';
import {
  addExercise,
  countingCompose,
  publishedIds,
  recipe,
  useRenderFixture,
} from '@exercise-pipeline/test/consumer';
import { describe, expect, it } from 'vitest';
import { bumpAssetVersion } from '../catalog/exercises.js';
import {
  claimRender,
  ensureRenderRow,
  listExerciseRenders,
  markRenderFailed,
  markRenderReady,
  supersedeRenders,
} from '../catalog/renders.js';
import {
  type ComposeFn,
  type EnsureRender,
  type EnsureRenderOptions,
  isHeldElsewhere,
  type RenderReport,
} from './ensure-render.js';

const fixture = useRenderFixture('ensure-render');

function service(compose: ComposeFn, options: Partial<EnsureRenderOptions> = {}): EnsureRender {
  return fixture.ensureRender(compose, { pollMs: 50, ...options });
}

async function rowsOf(exerciseId: number) {
  return listExerciseRenders(fixture.db, exerciseId);
}

describe('EnsureRender', () => {
  it('renders and publishes once, then answers the same recipe from the catalog', async () => {
    const exercise = await addExercise(fixture.db);
    const counter = countingCompose();
    const reports: RenderReport[] = [];
    const ensure = service(counter.compose, { onRendered: (report) => reports.push(report) });
    const before = await publishedIds(fixture.dataDir);

    const first = await ensure.ensure({ recipeInput: recipe() });
    expect(first.cached).toBe(false);
    expect(first.render.status).toBe('ready');
    expect(first.render.asset_version).toBe(1);
    expect(first.render.duration_seconds).toBeGreaterThan(1);
    expect(first.render.playback_url).toBe(`/media/${first.render.bunny_video_id}/playlist.m3u8`);
    expect(first.recipeHash).toMatch(/^[0-9a-f]{64}$/);

    const second = await ensure.ensure({ recipeInput: recipe() });
    expect(second.cached).toBe(true);
    expect(second.render.id).toBe(first.render.id);
    expect(second.render.bunny_video_id).toBe(first.render.bunny_video_id);

    expect(counter.calls).toBe(1);
    const after = await publishedIds(fixture.dataDir);
    expect(after.filter((id) => !before.includes(id))).toEqual([first.render.bunny_video_id]);
    expect(await rowsOf(exercise.id)).toHaveLength(1);
    expect(reports.map((r) => r.outcome)).toEqual(['ready']);
  });

  it('renders identical concurrent requests once and gives both the same render', async () => {
    const exercise = await addExercise(fixture.db);
    const counter = countingCompose();
    const ensure = service(counter.compose);
    const before = await publishedIds(fixture.dataDir);
    const input = recipe({ seed: 11 });

    const [a, b] = await Promise.all([
      ensure.ensure({ recipeInput: input }),
      ensure.ensure({ recipeInput: input }),
    ]);

    expect(a.render.bunny_video_id).toBe(b.render.bunny_video_id);
    expect(counter.calls).toBe(1);
    expect((await publishedIds(fixture.dataDir)).length).toBe(before.length + 1);
    expect(await rowsOf(exercise.id)).toHaveLength(1);
  });

  it('refuses an invalid recipe with every field-level reason and records nothing', async () => {
    const exercise = await addExercise(fixture.db);
    const counter = countingCompose();
    const error = await service(counter.compose)
      .ensure({ recipeInput: recipe({ language: 'de', sets: [{ side: 'left', reps: 7 }], seed: -1 }) })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RecipeInvalidError);
    const fields = (error as RecipeInvalidError).reasons.map((r) => r.field);
    expect(fields).toEqual(expect.arrayContaining(['language', 'sets.0.reps', 'seed']));
    expect(counter.calls).toBe(0);
    expect(await rowsOf(exercise.id)).toHaveLength(0);
  });

  it('lists the shape problems when the recipe does not even name an exercise', async () => {
    const error = await service(countingCompose().compose)
      .ensure({ recipeInput: { language: 'ro', sets: 'lots' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecipeInvalidError);
    const fields = (error as RecipeInvalidError).reasons.map((r) => r.field);
    expect(fields).toEqual(expect.arrayContaining(['exercise', 'sets', 'seed']));
  });

  it('answers EXERCISE_NOT_FOUND for an unknown or archived exercise', async () => {
    const ensure = service(countingCompose().compose);
    await expect(ensure.ensure({ recipeInput: recipe() })).rejects.toMatchObject({
      code: 'EXERCISE_NOT_FOUND',
    });
    await addExercise(fixture.db, { archived: true });
    await expect(ensure.ensure({ recipeInput: recipe() })).rejects.toMatchObject({
      code: 'EXERCISE_NOT_FOUND',
      message: expect.stringContaining('archived'),
    });
  });

  it('marks a failed render with its reason, and renders it again on the next request', async () => {
    const exercise = await addExercise(fixture.db);
    const counter = countingCompose((call) => {
      if (call === 1) throw new Error('ffmpeg ran out of disk: free space under DATA_DIR');
    });
    const ensure = service(counter.compose);

    await expect(ensure.ensure({ recipeInput: recipe() })).rejects.toThrow(/ran out of disk/);
    const [failed] = await rowsOf(exercise.id);
    expect(failed).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('ran out of disk'),
      lease_owner: null,
    });

    const retried = await ensure.ensure({ recipeInput: recipe() });
    expect(retried.render).toMatchObject({ id: failed!.id, status: 'ready', error: null });
    expect(counter.calls).toBe(2);
  });

  it('waits for a render another consumer holds instead of rendering it twice', async () => {
    const exercise = await addExercise(fixture.db);
    const counter = countingCompose();
    const row = await holdElsewhere(exercise.id, recipe({ seed: 3 }), 60);

    const waiting = service(counter.compose).ensure({ recipeInput: recipe({ seed: 3 }) });
    await sleep(200);
    await markRenderReady(fixture.db, row.id, {
      bunnyVideoId: 'rendered-elsewhere',
      playbackUrl: 'https://cdn.example/rendered-elsewhere/playlist.m3u8',
      durationSeconds: 4.2,
    });
    const result = await waiting;

    expect(result.render).toMatchObject({
      id: row.id,
      bunny_video_id: 'rendered-elsewhere',
      status: 'ready',
    });
    expect(result.cached).toBe(false);
    expect(counter.calls).toBe(0);
  });

  it('tryEnsure leaves a render another consumer holds to it at once, with the lease time left', async () => {
    const exercise = await addExercise(fixture.db);
    const counter = countingCompose();
    const row = await holdElsewhere(exercise.id, recipe({ seed: 4 }), 60);
    const started = Date.now();

    const result = await service(counter.compose).tryEnsure({ recipeInput: recipe({ seed: 4 }) });

    expect(result).toMatchObject({ heldElsewhere: true, renderId: row.id });
    expect(isHeldElsewhere(result) && result.leaseSecondsLeft).toBeGreaterThan(50);
    expect(isHeldElsewhere(result) && result.leaseSecondsLeft).toBeLessThanOrEqual(60);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(counter.calls).toBe(0);
    expect((await rowsOf(exercise.id))[0]).toMatchObject({
      status: 'pending',
      lease_owner: 'other-consumer',
    });
  });

  it('tryEnsure leaves a render running in this process to it, and renders a free one', async () => {
    const exercise = await addExercise(fixture.db);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const counter = countingCompose(() => gate);
    const ensure = service(counter.compose);

    const running = ensure.tryEnsure({ recipeInput: recipe({ seed: 5 }) });
    await sleep(100);
    const second = await ensure.tryEnsure({ recipeInput: recipe({ seed: 5 }) });
    expect(second).toMatchObject({ heldElsewhere: true });
    release();
    const first = await running;

    expect(isHeldElsewhere(first)).toBe(false);
    expect(first).toMatchObject({ cached: false, render: { status: 'ready' } });
    expect(counter.calls).toBe(1);
    expect(await rowsOf(exercise.id)).toHaveLength(1);
  });

  it('reports a failure it watched happen elsewhere instead of rendering again', async () => {
    const exercise = await addExercise(fixture.db);
    const counter = countingCompose();
    const row = await holdElsewhere(exercise.id, recipe(), 60);

    const waiting = service(counter.compose)
      .ensure({ recipeInput: recipe() })
      .catch((e: unknown) => e);
    await sleep(200);
    await markRenderFailed(fixture.db, row.id, 'bundle file missing: intro-video-1.mp4');

    expect(await waiting).toMatchObject({
      code: 'RENDER_FAILED',
      retryable: true,
      message: expect.stringContaining('intro-video-1.mp4'),
    });
    expect(counter.calls).toBe(0);
  });

  it('gives up waiting after the bound with a retryable RENDER_BUSY', async () => {
    const exercise = await addExercise(fixture.db);
    await holdElsewhere(exercise.id, recipe(), 60);
    const started = Date.now();
    await expect(
      service(countingCompose().compose, { waitTimeoutMs: 300 }).ensure({ recipeInput: recipe() }),
    ).rejects.toMatchObject({
      code: 'RENDER_BUSY',
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('takes over a render whose holder stopped renewing its lease', async () => {
    const exercise = await addExercise(fixture.db);
    const counter = countingCompose();
    const row = await holdElsewhere(exercise.id, recipe(), 0.3);

    const ensure = service(counter.compose);
    const result = await ensure.ensure({ recipeInput: recipe() });

    expect(result.render).toMatchObject({ id: row.id, status: 'ready', lease_owner: null });
    expect(counter.calls).toBe(1);
  });

  it('renews its lease while a render runs longer than the lease', async () => {
    const exercise = await addExercise(fixture.db);
    let leaseDuringRender: { owner: string | null; aliveMs: number } | undefined;
    const counter = countingCompose(async () => {
      await sleep(1500);
      const [row] = await fixture.db.query<{ lease_owner: string | null; alive_ms: number }>(
        'SELECT lease_owner, EXTRACT(EPOCH FROM (lease_expires_at - now())) * 1000 AS alive_ms FROM exercise_renders WHERE exercise_id = $1',
        [exercise.id],
      );
      leaseDuringRender = { owner: row?.lease_owner ?? null, aliveMs: Number(row?.alive_ms) };
    });
    const ensure = service(counter.compose, { leaseSeconds: 1, leaseRenewMs: 200 });

    await ensure.ensure({ recipeInput: recipe() });

    expect(leaseDuringRender?.owner).toBe(ensure.owner);
    expect(leaseDuringRender?.aliveMs).toBeGreaterThan(0);
  });

  it('does not mark ready a render superseded while it rendered, and removes what it published', async () => {
    const exercise = await addExercise(fixture.db);
    const before = await publishedIds(fixture.dataDir);
    const counter = countingCompose(async () => {
      await fixture.db.transaction(async (tx) => {
        const bumped = await bumpAssetVersion(tx, exercise.id, 'fingerprint-2');
        await supersedeRenders(tx, exercise.id, bumped.asset_version, 3600);
      });
    });
    // Renewals are slow here, so it is the check before marking ready that notices.
    const ensure = service(counter.compose, { leaseRenewMs: 60_000 });

    await expect(ensure.ensure({ recipeInput: recipe() })).rejects.toMatchObject({
      code: 'RENDER_LEASE_LOST',
    });

    const [row] = await rowsOf(exercise.id);
    expect(row).toMatchObject({ status: 'superseded', bunny_video_id: null });
    expect(await publishedIds(fixture.dataDir)).toEqual(before);
  });
});

/** Plays "another consumer": creates the render row for a recipe and holds its lease. */
async function holdElsewhere(exerciseId: number, input: Record<string, unknown>, leaseSeconds: number) {
  const parsed = recipeSchema.parse(input);
  const row = await ensureRenderRow(
    fixture.db,
    { exerciseId, recipeHash: recipeHash(parsed), language: parsed.language, assetVersion: 1 },
    parsed,
  );
  const claimed = await claimRender(fixture.db, row.id, 'other-consumer', leaseSeconds);
  if (!claimed) throw new Error('the test could not take the lease');
  return claimed;
}
