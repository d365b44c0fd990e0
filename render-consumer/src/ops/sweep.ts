import type { Queryable } from '../catalog/database.js';
import { listExpiredRenders, markRenderDeleted } from '../catalog/renders.js';
import type { Publisher } from '../publish/publisher.js';

export interface SweepOptions {
  db: Queryable;
  publisher: Pick<Publisher, 'delete'>;
  /** Renders whose `delete_after` is at or before this time are removed; default now. */
  now?: Date;
  logger?: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

export interface SweptRender {
  renderId: number;
  exerciseId: number;
  language: string;
  assetVersion: number;
  videoId: string | null;
  /**
   * - `deleted`: the publisher removed the video.
   * - `already-gone`: the publisher did not know it (404, or removed by an earlier sweep that
   *   stopped before marking the row), or the row never got a video.
   */
  outcome: 'deleted' | 'already-gone';
}

export interface SweepResult {
  /** Expired superseded renders found. */
  examined: number;
  swept: SweptRender[];
  /** Renders left superseded because the publisher refused; the next sweep tries them again. */
  failed: { renderId: number; videoId: string | null; error: string }[];
}

/**
 * Deletes superseded renders whose grace period ended from the publisher and marks them `deleted`.
 * Idempotent: a video already gone counts as deleted, a row marked meanwhile by another sweep is
 * skipped, and a second run finds nothing. One render's failure never stops the others.
 */
export async function sweepExpiredRenders(options: SweepOptions): Promise<SweepResult> {
  const { db, publisher, logger } = options;
  const expired = await listExpiredRenders(db, options.now ?? new Date());
  const result: SweepResult = { examined: expired.length, swept: [], failed: [] };
  for (const render of expired) {
    const videoId = render.bunny_video_id;
    try {
      const deleted = videoId === null ? false : (await publisher.delete(videoId)).deleted;
      // The video is gone before the row says so: a crash in between leaves a row the next
      // sweep finds again, and its delete then answers "already gone".
      if (!(await markRenderDeleted(db, render.id))) continue;
      result.swept.push({
        renderId: render.id,
        exerciseId: render.exercise_id,
        language: render.language,
        assetVersion: render.asset_version,
        videoId,
        outcome: deleted ? 'deleted' : 'already-gone',
      });
      logger?.info({ renderId: render.id, videoId, deleted }, 'superseded render swept');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result.failed.push({ renderId: render.id, videoId, error: message });
      logger?.warn({ renderId: render.id, videoId, err: error }, 'could not sweep a superseded render');
    }
  }
  return result;
}
