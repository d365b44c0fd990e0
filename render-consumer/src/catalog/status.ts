import type { Queryable } from './database.js';
import type { RenderStatus } from './renders.js';

/** The exercise columns the status page reads, with the age computed by the database. */
export interface ExerciseStatusRow {
  slug: string;
  kind: string;
  status: string;
  asset_version: number;
  asset_fingerprint: string | null;
  fingerprint_updated_at: Date | string | null;
  fingerprint_age_seconds: number | string | null;
  catalog_render_id: number | null;
}

/** The render columns the status page reads, joined with the exercise's slug. */
export interface RenderStatusRow {
  id: number;
  exercise: string;
  language: string;
  status: RenderStatus;
  asset_version: number;
  duration_seconds: number | null;
  playback_url: string | null;
  delete_after: Date | string | null;
  error: string | null;
  recipe_hash: string;
  encode_progress?: number | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** Every exercise with the age of its fingerprint, measured by the database's own clock. */
export async function listExerciseStatus(db: Queryable): Promise<ExerciseStatusRow[]> {
  return db.query<ExerciseStatusRow>(
    `SELECT slug, kind, status, asset_version, asset_fingerprint, fingerprint_updated_at, catalog_render_id,
            EXTRACT(EPOCH FROM (now() - fingerprint_updated_at))::double precision AS fingerprint_age_seconds
       FROM exercises
      ORDER BY slug`,
  );
}

/** The newest renders (by id, which only grows), with their exercise's slug. */
export async function listRecentRenders(db: Queryable, limit: number): Promise<RenderStatusRow[]> {
  return db.query<RenderStatusRow>(
    `SELECT r.id, e.slug AS exercise, r.language, r.status, r.asset_version, r.duration_seconds,
            r.playback_url, r.delete_after, r.error, r.recipe_hash, r.encode_progress,
            r.created_at, r.updated_at
       FROM exercise_renders r
       JOIN exercises e ON e.id = r.exercise_id
      ORDER BY r.id DESC
      LIMIT $1`,
    [limit],
  );
}
