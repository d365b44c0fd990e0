import type { Queryable } from './database.js';

export type RenderStatus = 'pending' | 'ready' | 'failed' | 'superseded' | 'deleted';

/** A row of `exercise_renders`, as the platform defines it (plus the lease columns). */
export interface RenderRow {
  id: number;
  exercise_id: number;
  recipe_hash: string;
  language: string;
  recipe: unknown;
  asset_version: number;
  status: RenderStatus;
  bunny_video_id: string | null;
  playback_url: string | null;
  duration_seconds: number | null;
  error: string | null;
  delete_after: Date | null;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** The cache key of a render (EnsureRender): a row of another asset version is a miss. */
export interface RenderKey {
  exerciseId: number;
  recipeHash: string;
  language: string;
  assetVersion: number;
}

export async function findRender(db: Queryable, key: RenderKey): Promise<RenderRow | null> {
  const rows = await db.query<RenderRow>(
    `SELECT * FROM exercise_renders
      WHERE exercise_id = $1 AND recipe_hash = $2 AND language = $3 AND asset_version = $4`,
    [key.exerciseId, key.recipeHash, key.language, key.assetVersion],
  );
  return rows[0] ?? null;
}

export async function getRender(db: Queryable, id: number): Promise<RenderRow | null> {
  const rows = await db.query<RenderRow>('SELECT * FROM exercise_renders WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/** Inserts the pending row for a key unless one exists; returns the row either way. */
export async function ensureRenderRow(db: Queryable, key: RenderKey, recipe: unknown): Promise<RenderRow> {
  await db.query(
    `INSERT INTO exercise_renders (exercise_id, recipe_hash, language, asset_version, recipe, status)
     VALUES ($1, $2, $3, $4, $5, 'pending')
     ON CONFLICT ON CONSTRAINT exercise_renders_cache_key DO NOTHING`,
    [
      key.exerciseId,
      key.recipeHash,
      key.language,
      key.assetVersion,
      recipe === null ? null : JSON.stringify(recipe),
    ],
  );
  return (await findRender(db, key))!;
}

/**
 * Takes the right to render a row: only one holder at a time, and only while the row still needs a
 * render (pending or failed) and nobody else holds an unexpired lease. Returns the row when taken.
 */
export async function claimRender(
  db: Queryable,
  id: number,
  owner: string,
  leaseSeconds: number,
): Promise<RenderRow | null> {
  const rows = await db.query<RenderRow>(
    `UPDATE exercise_renders
        SET lease_owner = $2, lease_expires_at = now() + make_interval(secs => $3::double precision),
            status = 'pending', updated_at = now()
      WHERE id = $1 AND status IN ('pending', 'failed')
        AND (lease_owner IS NULL OR lease_owner = $2 OR lease_expires_at < now())
      RETURNING *`,
    [id, owner, leaseSeconds],
  );
  return rows[0] ?? null;
}

/** Keeps a lease alive while a long render runs; false when the lease was lost. */
export async function extendLease(
  db: Queryable,
  id: number,
  owner: string,
  leaseSeconds: number,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE exercise_renders SET lease_expires_at = now() + make_interval(secs => $3::double precision)
      WHERE id = $1 AND lease_owner = $2 AND status = 'pending' RETURNING id`,
    [id, owner, leaseSeconds],
  );
  return rows.length > 0;
}

export interface ReadyFields {
  bunnyVideoId: string;
  playbackUrl: string;
  durationSeconds: number;
}

export async function markRenderReady(db: Queryable, id: number, fields: ReadyFields): Promise<RenderRow> {
  const rows = await db.query<RenderRow>(
    `UPDATE exercise_renders
        SET status = 'ready', bunny_video_id = $2, playback_url = $3, duration_seconds = $4, error = NULL,
            lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE id = $1 RETURNING *`,
    [id, fields.bunnyVideoId, fields.playbackUrl, fields.durationSeconds],
  );
  return rows[0]!;
}

/**
 * Marks a render ready only while `owner` still holds its lease and it is still pending: a row
 * superseded or taken over in the meantime is left alone (null), so a stale render can never
 * become the ready one.
 */
export async function markRenderReadyIfHeld(
  db: Queryable,
  id: number,
  owner: string,
  fields: ReadyFields,
): Promise<RenderRow | null> {
  const rows = await db.query<RenderRow>(
    `UPDATE exercise_renders
        SET status = 'ready', bunny_video_id = $3, playback_url = $4, duration_seconds = $5, error = NULL,
            lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE id = $1 AND lease_owner = $2 AND status = 'pending' RETURNING *`,
    [id, owner, fields.bunnyVideoId, fields.playbackUrl, fields.durationSeconds],
  );
  return rows[0] ?? null;
}

export async function markRenderFailed(db: Queryable, id: number, error: string): Promise<void> {
  await db.query(
    `UPDATE exercise_renders
        SET status = 'failed', error = $2, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE id = $1 AND status IN ('pending', 'failed')`,
    [id, error],
  );
}

/** Older renders that stay live: those of `recipeHash` in any language but `language`. */
export interface SpareRenders {
  recipeHash: string;
  language: string;
}

/**
 * Marks every live render of an exercise older than `currentVersion` superseded, to be deleted from
 * the publisher after the grace period, except those `spare` names. Returns how many rows changed.
 */
export async function supersedeRenders(
  tx: Queryable,
  exerciseId: number,
  currentVersion: number,
  graceSeconds: number,
  spare?: SpareRenders,
): Promise<number> {
  const spared = spare === undefined ? '' : 'AND (language = $4 OR recipe_hash <> $5)';
  const params: (number | string)[] = [exerciseId, currentVersion, graceSeconds];
  if (spare !== undefined) params.push(spare.language, spare.recipeHash);
  const rows = await tx.query(
    `UPDATE exercise_renders
        SET status = 'superseded', delete_after = now() + make_interval(secs => $3::double precision),
            lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE exercise_id = $1 AND asset_version < $2 AND status IN ('pending', 'ready', 'failed') ${spared}
      RETURNING id`,
    params,
  );
  return rows.length;
}

/** Superseded renders whose grace period ended, oldest first. */
export async function listExpiredRenders(db: Queryable, now: Date = new Date()): Promise<RenderRow[]> {
  return db.query<RenderRow>(
    `SELECT * FROM exercise_renders
      WHERE status = 'superseded' AND delete_after <= $1
      ORDER BY delete_after, id`,
    [now],
  );
}

export async function markRenderDeleted(db: Queryable, id: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE exercise_renders SET status = 'deleted', updated_at = now()
      WHERE id = $1 AND status = 'superseded' RETURNING id`,
    [id],
  );
  return rows.length > 0;
}

export async function listRenders(db: Queryable, exerciseId?: number): Promise<RenderRow[]> {
  if (exerciseId === undefined) return db.query<RenderRow>('SELECT * FROM exercise_renders ORDER BY id DESC');
  return db.query<RenderRow>('SELECT * FROM exercise_renders WHERE exercise_id = $1 ORDER BY id', [
    exerciseId,
  ]);
}
