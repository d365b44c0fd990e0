import type { Queryable } from './database.js';
import type { RenderStatus } from './renders.js';

/** A render lease as the catalog records it, with the exercise's slug and the time left on it. */
export interface RenderLeaseRow {
  render_id: number;
  exercise: string;
  language: string;
  status: RenderStatus;
  asset_version: number;
  /** The holder: a consumer's lease owner id (`{host}:{pid}:{random}`). */
  lease_owner: string;
  lease_expires_at: Date | string | null;
  /** Seconds until the lease runs out by the database's clock; negative once it has. */
  expires_in_seconds: number | string | null;
}

/**
 * Every render lease recorded in the catalog (expired ones included: their holder stopped renewing
 * and the next consumer that needs the render takes it over), by holder, at most `limit` rows.
 */
export async function listRenderLeases(db: Queryable, limit = 200): Promise<RenderLeaseRow[]> {
  return db.query<RenderLeaseRow>(
    `SELECT r.id AS render_id, e.slug AS exercise, r.language, r.status, r.asset_version,
            r.lease_owner, r.lease_expires_at,
            EXTRACT(EPOCH FROM (r.lease_expires_at - now()))::double precision AS expires_in_seconds
       FROM exercise_renders r
       JOIN exercises e ON e.id = r.exercise_id
      WHERE r.lease_owner IS NOT NULL
      ORDER BY r.lease_owner, r.id
      LIMIT $1`,
    [limit],
  );
}

/** How many unexpired render leases `owner` holds, by the database's clock. */
export async function countLeasesHeld(db: Queryable, owner: string): Promise<number> {
  const rows = await db.query<{ count: string | number }>(
    `SELECT count(*) AS count FROM exercise_renders
      WHERE lease_owner = $1 AND lease_expires_at > now()`,
    [owner],
  );
  return Number(rows[0]?.count ?? 0);
}
