import type { CatalogDb, Queryable } from './database.js';
import { setNextCatalogRender } from './exercises.js';
import { IMPORTED_RECIPE_HASH, type RenderRow, supersedeRenders } from './renders.js';

/**
 * The catalog side of Bunny's transcode: which encoding renders the poll asks about next, and the
 * transitions a transcode's outcome makes. Every transition is conditional on the row still being
 * `encoding`, so a webhook and the poll (or two consumers) reporting the same outcome change it once.
 */

export interface TranscodeBackoff {
  /** Wait before the second question; doubles per question asked. */
  baseSeconds: number;
  /** No wait between questions exceeds this. */
  maxSeconds: number;
}

/**
 * Takes up to `limit` encoding renders whose next check is due and moves their next check on by the
 * backoff, so another consumer polling at the same time takes other rows (or none).
 */
export async function claimDueTranscodes(
  db: Queryable,
  limit: number,
  backoff: TranscodeBackoff,
): Promise<DueTranscode[]> {
  return db.query<DueTranscode>(
    `UPDATE exercise_renders
        SET transcode_checks = transcode_checks + 1,
            next_check_at = now() + make_interval(secs => LEAST($3::double precision,
              $2::double precision * power(2, LEAST(transcode_checks, 20))::double precision))
      WHERE id IN (
        SELECT id FROM exercise_renders
         WHERE status = 'encoding' AND (next_check_at IS NULL OR next_check_at <= now())
         ORDER BY next_check_at NULLS FIRST, id
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
      RETURNING *, EXTRACT(EPOCH FROM (now() - updated_at))::double precision AS encoding_seconds`,
    [limit, backoff.baseSeconds, backoff.maxSeconds],
  );
}

/** An encoding render the poll asks about, with how long it has been encoding (database clock). */
export type DueTranscode = RenderRow & { encoding_seconds: number };

/** The encoding render of a publisher video, or null (unknown, or no longer encoding). */
export async function findEncodingRender(db: Queryable, videoId: string): Promise<RenderRow | null> {
  const rows = await db.query<RenderRow>(
    `SELECT * FROM exercise_renders WHERE bunny_video_id = $1 AND status = 'encoding' ORDER BY id DESC LIMIT 1`,
    [videoId],
  );
  return rows[0] ?? null;
}

export async function noteTranscodeProgress(db: Queryable, id: number, progress: number): Promise<void> {
  await db.query(`UPDATE exercise_renders SET encode_progress = $2 WHERE id = $1 AND status = 'encoding'`, [
    id,
    Math.max(0, Math.min(100, Math.round(progress))),
  ]);
}

export interface FinishedTranscode {
  render: RenderRow;
  /** The render became the exercise's catalog preview (it was the one waiting for it). */
  promoted: boolean;
}

/**
 * Bunny can play the render: `encoding → ready`, and when it is the catalog preview the exercise was
 * waiting for, the preview moves to it and the older versions' renders are superseded now. Null
 * when the render was not encoding any more (a repeated report, or superseded meanwhile).
 */
export async function finishTranscode(
  db: CatalogDb,
  renderId: number,
  graceSeconds: number,
): Promise<FinishedTranscode | null> {
  return db.transaction(async (tx) => {
    // The exercise row first, as offerCatalogRender does, so the two never miss each other.
    const exercise = await lockExerciseOfRender(tx, renderId);
    if (!exercise) return null;
    const rows = await tx.query<RenderRow>(
      `UPDATE exercise_renders
          SET status = 'ready', encode_progress = 100, error = NULL, next_check_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'encoding' RETURNING *`,
      [renderId],
    );
    const render = rows[0];
    if (!render) return null;
    const promoted =
      exercise.next_catalog_render_id === render.id &&
      exercise.asset_version === render.asset_version &&
      exercise.status === 'active';
    if (promoted) await promote(tx, exercise.id, render, graceSeconds);
    return { render, promoted };
  });
}

/**
 * Bunny gave up on the render's video: `encoding → failed` with Bunny's message, counting the
 * failure. Null when the render was not encoding any more.
 */
export async function failTranscode(
  db: Queryable,
  renderId: number,
  message: string,
): Promise<RenderRow | null> {
  const rows = await db.query<RenderRow>(
    `UPDATE exercise_renders
        SET status = 'failed', error = $2, transcode_failures = transcode_failures + 1,
            next_check_at = NULL, updated_at = now()
      WHERE id = $1 AND status = 'encoding' RETURNING *`,
    [renderId, message],
  );
  return rows[0] ?? null;
}

export type CatalogOffer = 'promoted' | 'waiting' | 'stale';

/**
 * Offers a current-version render as the exercise's catalog preview: a ready one becomes it at once
 * (older versions' renders are superseded then), an encoding one waits for its transcode
 * (`waiting`, finishTranscode promotes it), anything else or an older version changes nothing.
 */
export async function offerCatalogRender(
  db: CatalogDb,
  options: { exerciseId: number; assetVersion: number; renderId: number; graceSeconds: number },
): Promise<CatalogOffer> {
  return db.transaction(async (tx) => {
    const exercises = await tx.query<ExerciseLock>(
      'SELECT id, asset_version, status, next_catalog_render_id FROM exercises WHERE id = $1 FOR UPDATE',
      [options.exerciseId],
    );
    const exercise = exercises[0];
    if (!exercise || exercise.asset_version !== options.assetVersion || exercise.status !== 'active') {
      return 'stale';
    }
    const renders = await tx.query<RenderRow>('SELECT * FROM exercise_renders WHERE id = $1', [
      options.renderId,
    ]);
    const render = renders[0];
    if (render?.status === 'ready') {
      await promote(tx, exercise.id, render, options.graceSeconds);
      return 'promoted';
    }
    if (render?.status === 'encoding') {
      await setNextCatalogRender(tx, exercise.id, render.id);
      return 'waiting';
    }
    return 'stale';
  });
}

interface ExerciseLock {
  id: number;
  asset_version: number;
  status: string;
  next_catalog_render_id: number | null;
}

async function lockExerciseOfRender(tx: Queryable, renderId: number): Promise<ExerciseLock | null> {
  const rows = await tx.query<ExerciseLock>(
    `SELECT e.id, e.asset_version, e.status, e.next_catalog_render_id FROM exercises e
      WHERE e.id = (SELECT exercise_id FROM exercise_renders WHERE id = $1)
      FOR UPDATE`,
    [renderId],
  );
  return rows[0] ?? null;
}

/** The preview moves to `render`; every older version's render (the previous preview too) is superseded. */
async function promote(tx: Queryable, exerciseId: number, render: RenderRow, graceSeconds: number) {
  await tx.query(
    `UPDATE exercises SET catalog_render_id = $2, next_catalog_render_id = NULL, updated_at = now() WHERE id = $1`,
    [exerciseId, render.id],
  );
  // An imported video replaces only the earlier import of its own language (see importDurationVideo).
  const spare =
    render.recipe_hash === IMPORTED_RECIPE_HASH
      ? { recipeHash: IMPORTED_RECIPE_HASH, language: render.language }
      : undefined;
  await supersedeRenders(tx, exerciseId, render.asset_version, graceSeconds, spare);
}
