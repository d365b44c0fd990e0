import type { Queryable } from './database.js';

/**
 * `pending → encoding → ready | failed`, then `superseded → deleted`. `encoding`: uploaded to Bunny,
 * not playable yet (the local publisher's renders play at once and skip it).
 */
export type RenderStatus = 'pending' | 'encoding' | 'ready' | 'failed' | 'superseded' | 'deleted';

/** The recipe_hash of a duration-based import (one pre-baked video, no recipe). */
export const IMPORTED_RECIPE_HASH = '_imported';

/** How many transcodes of one render may fail before it stays failed: the first failure re-uploads once. */
export const TRANSCODE_ATTEMPTS = 2;

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
  catalog_preview: boolean;
  encode_progress: number | null;
  transcode_failures: number;
  next_check_at: Date | null;
  transcode_checks: number;
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

/**
 * Inserts the pending row for a key unless one exists; returns the row either way. `catalogPreview`
 * marks the row as an exercise's catalog preview (an existing row keeps the mark once it has it).
 */
export async function ensureRenderRow(
  db: Queryable,
  key: RenderKey,
  recipe: unknown,
  catalogPreview = false,
): Promise<RenderRow> {
  await db.query(
    `INSERT INTO exercise_renders (exercise_id, recipe_hash, language, asset_version, recipe, status, catalog_preview)
     VALUES ($1, $2, $3, $4, $5, 'pending', $6)
     ON CONFLICT ON CONSTRAINT exercise_renders_cache_key
     DO UPDATE SET catalog_preview = exercise_renders.catalog_preview OR EXCLUDED.catalog_preview`,
    [
      key.exerciseId,
      key.recipeHash,
      key.language,
      key.assetVersion,
      recipe === null ? null : JSON.stringify(recipe),
      catalogPreview,
    ],
  );
  return (await findRender(db, key))!;
}

/**
 * Records the publisher's video id on a render being rendered, before its upload starts: a consumer
 * that dies mid-upload leaves the id behind, and the one that takes the lease over deletes it.
 */
export async function recordRenderVideo(
  db: Queryable,
  id: number,
  owner: string,
  videoId: string,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE exercise_renders SET bunny_video_id = $3, updated_at = now()
      WHERE id = $1 AND lease_owner = $2 AND status = 'pending' RETURNING id`,
    [id, owner, videoId],
  );
  return rows.length > 0;
}

/** Forgets the video id of a render being rendered once its leftover video was deleted. */
export async function clearRenderVideo(db: Queryable, id: number, owner: string): Promise<void> {
  await db.query(
    `UPDATE exercise_renders SET bunny_video_id = NULL, playback_url = NULL, updated_at = now()
      WHERE id = $1 AND lease_owner = $2 AND status = 'pending'`,
    [id, owner],
  );
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

/**
 * Seconds until a render's lease runs out, by the database's clock (0 when it has no live lease):
 * the earliest moment another consumer could take the render over.
 */
export async function leaseSecondsLeft(db: Queryable, id: number): Promise<number> {
  const rows = await db.query<{ seconds_left: number | string | null }>(
    `SELECT EXTRACT(EPOCH FROM (lease_expires_at - now())) AS seconds_left FROM exercise_renders WHERE id = $1`,
    [id],
  );
  return Math.max(0, Number(rows[0]?.seconds_left ?? 0) || 0);
}

/**
 * Seconds left on a lease another consumer (not `owner`) holds on this pending render of the
 * version, by the database's clock; undefined when nobody else is rendering it.
 */
export async function leaseSecondsLeftElsewhere(
  db: Queryable,
  key: { exerciseId: number; assetVersion: number; language: string; recipeHash: string; owner: string },
): Promise<number | undefined> {
  const rows = await db.query<{ seconds_left: number | string }>(
    `SELECT EXTRACT(EPOCH FROM (lease_expires_at - now())) AS seconds_left FROM exercise_renders
      WHERE exercise_id = $1 AND asset_version = $2 AND language = $3 AND recipe_hash = $4
        AND status = 'pending' AND lease_owner IS NOT NULL AND lease_owner <> $5
        AND lease_expires_at > now()
      LIMIT 1`,
    [key.exerciseId, key.assetVersion, key.language, key.recipeHash, key.owner],
  );
  return rows[0] === undefined ? undefined : Math.max(0, Number(rows[0].seconds_left) || 0);
}

/** The renders of one asset version in one of `statuses`: id, language and recipe hash. */
export async function listVersionRenders(
  db: Queryable,
  exerciseId: number,
  assetVersion: number,
  statuses: readonly string[],
): Promise<{ id: number; language: string; recipe_hash: string }[]> {
  const rows = await db.query<{ id: number | string; language: string; recipe_hash: string }>(
    `SELECT id, language, recipe_hash FROM exercise_renders
      WHERE exercise_id = $1 AND asset_version = $2 AND status = ANY($3::text[])`,
    [exerciseId, assetVersion, statuses],
  );
  return rows.map((row) => ({ id: Number(row.id), language: row.language, recipe_hash: row.recipe_hash }));
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

/** Marks a render ready whoever holds it: a one-off import. */
export async function markRenderReady(db: Queryable, id: number, fields: ReadyFields): Promise<RenderRow> {
  return (await publishRender(db, id, { status: 'ready' }, fields))!;
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
  return publishRender(db, id, { status: 'ready' }, fields, owner);
}

/** Marks a render `encoding` (uploaded, not playable yet) whoever holds it: a one-off import. */
export async function markRenderEncoding(db: Queryable, id: number, fields: ReadyFields): Promise<RenderRow> {
  return (await publishRender(db, id, { status: 'encoding', firstCheckSeconds: 0 }, fields))!;
}

/**
 * Marks an uploaded render `encoding` while `owner` still holds its lease: the publisher has the
 * video, which is not playable yet. The transcode poll first asks after `firstCheckSeconds`.
 */
export async function markRenderEncodingIfHeld(
  db: Queryable,
  id: number,
  owner: string,
  fields: ReadyFields & { firstCheckSeconds: number },
): Promise<RenderRow | null> {
  return publishRender(
    db,
    id,
    { status: 'encoding', firstCheckSeconds: fields.firstCheckSeconds },
    fields,
    owner,
  );
}

/** What a published render becomes: playable now, or encoding with the first transcode check due later. */
type PublishedOutcome = { status: 'ready' } | { status: 'encoding'; firstCheckSeconds: number };

/**
 * Records the publisher's video on a render and releases its lease. With `heldBy`, only while that
 * owner still holds the lease and the render is pending (null otherwise); without it, whoever holds it.
 */
async function publishRender(
  db: Queryable,
  id: number,
  outcome: PublishedOutcome,
  fields: ReadyFields,
  heldBy?: string,
): Promise<RenderRow | null> {
  const params: (number | string)[] = [
    id,
    outcome.status,
    fields.bunnyVideoId,
    fields.playbackUrl,
    fields.durationSeconds,
  ];
  let transcode = '';
  if (outcome.status === 'encoding') {
    params.push(outcome.firstCheckSeconds);
    transcode = `encode_progress = 0, transcode_checks = 0,
            next_check_at = now() + make_interval(secs => $${params.length}::double precision),`;
  }
  let held = '';
  if (heldBy !== undefined) {
    params.push(heldBy);
    held = ` AND lease_owner = $${params.length} AND status = 'pending'`;
  }
  const rows = await db.query<RenderRow>(
    `UPDATE exercise_renders
        SET status = $2, bunny_video_id = $3, playback_url = $4, duration_seconds = $5, error = NULL,
            ${transcode} lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE id = $1${held} RETURNING *`,
    params,
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
  /** A render that stays live whatever its version: the catalog preview until its successor plays. */
  keepRenderId?: number | null,
): Promise<number> {
  const params: (number | string)[] = [exerciseId, currentVersion, graceSeconds];
  let spared = '';
  if (spare !== undefined) {
    params.push(spare.language, spare.recipeHash);
    spared += 'AND (language = $4 OR recipe_hash <> $5)';
  }
  if (keepRenderId !== undefined && keepRenderId !== null) {
    params.push(keepRenderId);
    spared += ` AND id <> $${params.length}`;
  }
  const rows = await tx.query(
    `UPDATE exercise_renders
        SET status = 'superseded', delete_after = now() + make_interval(secs => $3::double precision),
            lease_owner = NULL, lease_expires_at = NULL, next_check_at = NULL, updated_at = now()
      WHERE exercise_id = $1 AND asset_version < $2 AND status IN ('pending', 'encoding', 'ready', 'failed') ${spared}
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

/** Every render of one exercise, oldest first. */
export async function listExerciseRenders(db: Queryable, exerciseId: number): Promise<RenderRow[]> {
  return db.query<RenderRow>('SELECT * FROM exercise_renders WHERE exercise_id = $1 ORDER BY id', [
    exerciseId,
  ]);
}

/** How many renders the catalog holds in each status (statuses with none are absent). */
export async function countRendersByStatus(
  db: Queryable,
): Promise<{ status: RenderStatus; count: number }[]> {
  const rows = await db.query<{ status: RenderStatus; count: string | number }>(
    'SELECT status, count(*) AS count FROM exercise_renders GROUP BY status',
  );
  return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
}

/** A render that has a publisher video, with its exercise's slug. */
export interface VideoRenderRef {
  id: number;
  exercise: string;
  language: string;
  asset_version: number;
  status: string;
  bunny_video_id: string;
}

/** Every render that has a publisher video and is not deleted, by id. */
export async function listVideoRenderRefs(db: Queryable): Promise<VideoRenderRef[]> {
  return db.query<VideoRenderRef>(
    `SELECT r.id, e.slug AS exercise, r.language, r.asset_version, r.status, r.bunny_video_id
       FROM exercise_renders r JOIN exercises e ON e.id = r.exercise_id
      WHERE r.bunny_video_id IS NOT NULL AND r.status <> 'deleted'
      ORDER BY r.id`,
  );
}

/**
 * A ready or encoding render that cannot play any more is `failed` with `error` (and no transcode
 * check due), so the next refresh of its exercise renders it again. False when it was neither.
 */
export async function failPlayableRender(db: Queryable, id: number, error: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE exercise_renders
        SET status = 'failed', error = $2, next_check_at = NULL, updated_at = now()
      WHERE id = $1 AND status IN ('ready', 'encoding') RETURNING id`,
    [id, error],
  );
  return rows.length > 0;
}
