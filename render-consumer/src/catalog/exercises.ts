import type { Queryable } from './database.js';

/** A row of `exercises`, as the platform defines it. */
export interface ExerciseRow {
  id: number;
  slug: string;
  kind: 'reps_based' | 'duration_based';
  status: 'active' | 'archived';
  asset_version: number;
  asset_fingerprint: string | null;
  catalog_render_id: number | null;
  /** A current-version render that becomes the catalog preview once it is ready (encoding meanwhile). */
  next_catalog_render_id: number | null;
  created_at: Date;
  updated_at: Date;
}

export async function findExercise(db: Queryable, slug: string): Promise<ExerciseRow | null> {
  const rows = await db.query<ExerciseRow>('SELECT * FROM exercises WHERE slug = $1', [slug]);
  return rows[0] ?? null;
}

export async function getExercise(db: Queryable, id: number): Promise<ExerciseRow | null> {
  const rows = await db.query<ExerciseRow>('SELECT * FROM exercises WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/** Every exercise's slug, in order. */
export async function listExerciseSlugs(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ slug: string }>('SELECT slug FROM exercises ORDER BY slug');
  return rows.map((row) => row.slug);
}

/**
 * Returns the exercise row, locked until the transaction ends, creating it (version 0) when new.
 * The lock serialises asset-version bumps of one exercise across every consumer process.
 */
export async function lockExercise(
  tx: Queryable,
  slug: string,
  kind: ExerciseRow['kind'] = 'reps_based',
): Promise<ExerciseRow> {
  await tx.query('INSERT INTO exercises (slug, kind) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING', [
    slug,
    kind,
  ]);
  const rows = await tx.query<ExerciseRow>('SELECT * FROM exercises WHERE slug = $1 FOR UPDATE', [slug]);
  if (!rows[0]) throw new Error(`exercise ${slug} vanished while it was being locked`);
  return rows[0];
}

/** Next asset version with its fingerprint; an archived exercise whose bundle came back is active again. */
export async function bumpAssetVersion(tx: Queryable, id: number, fingerprint: string): Promise<ExerciseRow> {
  const rows = await tx.query<ExerciseRow>(
    `UPDATE exercises
        SET asset_version = asset_version + 1, asset_fingerprint = $2, fingerprint_updated_at = now(),
            status = 'active', updated_at = now()
      WHERE id = $1
      RETURNING *`,
    [id, fingerprint],
  );
  return rows[0]!;
}

export async function setExerciseKind(db: Queryable, id: number, kind: ExerciseRow['kind']): Promise<void> {
  await db.query('UPDATE exercises SET kind = $2, updated_at = now() WHERE id = $1', [id, kind]);
}

export async function setCatalogRender(
  db: Queryable,
  exerciseId: number,
  renderId: number | null,
): Promise<void> {
  await db.query('UPDATE exercises SET catalog_render_id = $2, updated_at = now() WHERE id = $1', [
    exerciseId,
    renderId,
  ]);
}

/** The render that becomes the exercise's catalog preview once its transcode finishes. */
export async function setNextCatalogRender(
  db: Queryable,
  exerciseId: number,
  renderId: number,
): Promise<void> {
  await db.query('UPDATE exercises SET next_catalog_render_id = $2, updated_at = now() WHERE id = $1', [
    exerciseId,
    renderId,
  ]);
}

/** Exercises whose catalog preview (or the one waiting to become it) is `renderId` stop pointing at it. */
export async function dropCatalogRender(db: Queryable, renderId: number): Promise<void> {
  await db.query(
    `UPDATE exercises
        SET catalog_render_id = CASE WHEN catalog_render_id = $1 THEN NULL ELSE catalog_render_id END,
            next_catalog_render_id = CASE WHEN next_catalog_render_id = $1 THEN NULL ELSE next_catalog_render_id END,
            updated_at = now()
      WHERE catalog_render_id = $1 OR next_catalog_render_id = $1`,
    [renderId],
  );
}

export async function archiveExercise(tx: Queryable, id: number): Promise<ExerciseRow> {
  const rows = await tx.query<ExerciseRow>(
    `UPDATE exercises SET status = 'archived', catalog_render_id = NULL, next_catalog_render_id = NULL, updated_at = now() WHERE id = $1 RETURNING *`,
    [id],
  );
  return rows[0]!;
}

/** Whether a forced refresh with this request id already bumped (its message is a redelivery or a replay). */
export async function wasForcedBefore(db: Queryable, requestId: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM forced_refreshes WHERE request_id = $1', [requestId]);
  return rows.length > 0;
}

/** Records the bump a forced refresh made, in the bump's transaction, so a replay does not bump again. */
export async function recordForcedRefresh(
  db: Queryable,
  requestId: string,
  exerciseId: number,
  assetVersion: number,
): Promise<void> {
  await db.query(
    'INSERT INTO forced_refreshes (request_id, exercise_id, asset_version) VALUES ($1, $2, $3)',
    [requestId, exerciseId, assetVersion],
  );
}
