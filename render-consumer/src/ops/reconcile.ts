import type { CatalogDb, Queryable } from '../catalog/database.js';
import { dropCatalogRender, listExerciseSlugs } from '../catalog/exercises.js';
import {
  failPlayableRender,
  listVideoRenderRefs,
  markRenderDeleted,
  type VideoRenderRef,
} from '../catalog/renders.js';
import type { BunnyClient } from '../publish/bunny-client.js';
import { type BunnyVideo, parseBunnyDate } from '../publish/bunny-models.js';

/**
 * `consumer reconcile`: the Bunny library against the catalog. A video in one of our collections (one
 * per exercise slug) that no render references is an orphan (a crash between upload and catalog, a
 * hand upload); a render whose video is gone from the library cannot play. `fix` deletes the orphans
 * and marks those renders. Videos younger than `minAgeSeconds` are left alone: a consumer may have
 * just created one and not recorded it yet.
 */

/** Renders that should have a video in the library. */
const LIVE_STATUSES = ['ready', 'encoding', 'superseded'] as const;

/** What reconcile reads of the catalog: the catalog itself, or a running consumer's API. */
export interface VideoRendersRead {
  videoRenders(): Promise<VideoRenders>;
}

/** Every exercise slug, and every render that has a Bunny video and is not deleted. */
export interface VideoRenders {
  slugs: string[];
  renders: VideoRenderRef[];
}

export interface ReconcileOptions {
  reads: VideoRendersRead;
  /** The catalog, for `fix` (which marks renders); report-only runs need none. */
  db?: CatalogDb;
  client: Pick<BunnyClient, 'findCollection' | 'listVideos' | 'getVideo' | 'deleteVideo'>;
  /** Delete orphans and mark renders whose video is gone; default false (report only). */
  fix?: boolean;
  /** Orphans younger than this are not reported; default 900 s. */
  minAgeSeconds?: number;
  now?: Date;
  logger?: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

export interface OrphanVideo {
  videoId: string;
  title: string | null;
  exercise: string;
  createdAt: string | null;
  /** With `fix`: whether it was deleted (false: it was already gone). */
  deleted?: boolean;
  error?: string;
}

export interface MissingVideoRender {
  renderId: number;
  exercise: string;
  language: string;
  assetVersion: number;
  status: string;
  videoId: string;
  /** With `fix`: the status the render was given (`failed`, or `deleted` for a superseded one). */
  markedAs?: string;
}

export interface ReconcileResult {
  fixed: boolean;
  /** Collections of catalog exercises found in the library. */
  collections: number;
  /** Videos in those collections. */
  videos: number;
  orphans: OrphanVideo[];
  missing: MissingVideoRender[];
}

/** What the pure comparison decides: orphaned videos, and live renders whose video was not listed. */
export function compareLibrary(
  videos: readonly (BunnyVideo & { exercise: string })[],
  renders: readonly VideoRenderRef[],
  options: { now: number; minAgeMs: number },
): { orphans: (BunnyVideo & { exercise: string })[]; unlisted: VideoRenderRef[] } {
  const referenced = new Set(renders.map((render) => render.bunny_video_id));
  const listed = new Set(videos.map((video) => video.guid));
  const orphans = videos.filter((video) => {
    if (referenced.has(video.guid)) return false;
    const created = parseBunnyDate(video.dateUploaded);
    return created === undefined || options.now - created >= options.minAgeMs;
  });
  const unlisted = renders.filter(
    (render) =>
      (LIVE_STATUSES as readonly string[]).includes(render.status) && !listed.has(render.bunny_video_id),
  );
  return { orphans, unlisted };
}

/** The catalog side of reconcile, read from the catalog itself. */
export async function listVideoRenders(db: Queryable): Promise<VideoRenders> {
  return { slugs: await listExerciseSlugs(db), renders: await listVideoRenderRefs(db) };
}

export async function reconcileLibrary(options: ReconcileOptions): Promise<ReconcileResult> {
  const { db, client, logger } = options;
  const fix = options.fix ?? false;
  if (fix && db === undefined)
    throw new Error('reconcile --fix needs the catalog itself, not a read-only view');
  const now = (options.now ?? new Date()).getTime();
  const { slugs, renders } = await options.reads.videoRenders();
  const videos: (BunnyVideo & { exercise: string })[] = [];
  let collections = 0;
  for (const slug of slugs) {
    const collection = await client.findCollection(slug);
    if (!collection) continue;
    collections += 1;
    for (let page = 1; ; page++) {
      const result = await client.listVideos({ collection: collection.guid, page, itemsPerPage: 100 });
      videos.push(...result.items.map((video) => ({ ...video, exercise: slug })));
      if (
        result.items.length === 0 ||
        (page - 1) * result.itemsPerPage + result.items.length >= result.totalItems
      ) {
        break;
      }
    }
  }
  const compared = compareLibrary(videos, renders, { now, minAgeMs: (options.minAgeSeconds ?? 900) * 1000 });

  const orphans: OrphanVideo[] = [];
  for (const video of compared.orphans) {
    const orphan: OrphanVideo = {
      videoId: video.guid,
      title: video.title ?? null,
      exercise: video.exercise,
      createdAt: video.dateUploaded ?? null,
    };
    if (fix) {
      try {
        orphan.deleted = (await client.deleteVideo(video.guid)).deleted;
        logger?.info({ videoId: video.guid, exercise: video.exercise }, 'reconcile: orphan video deleted');
      } catch (error) {
        orphan.error = error instanceof Error ? error.message : String(error);
        logger?.warn({ videoId: video.guid, err: error }, 'reconcile: could not delete an orphan video');
      }
    }
    orphans.push(orphan);
  }

  const missing: MissingVideoRender[] = [];
  for (const render of compared.unlisted) {
    // Not in its exercise's collection; it may still be elsewhere in the library (moved by hand).
    if ((await client.getVideo(render.bunny_video_id)) !== null) continue;
    const entry: MissingVideoRender = {
      renderId: render.id,
      exercise: render.exercise,
      language: render.language,
      assetVersion: render.asset_version,
      status: render.status,
      videoId: render.bunny_video_id,
    };
    if (fix && db !== undefined) {
      const markedAs = await markVideoGone(db, render);
      if (markedAs) entry.markedAs = markedAs;
    }
    missing.push(entry);
  }
  return { fixed: fix, collections, videos: videos.length, orphans, missing };
}

/**
 * A superseded render whose video is gone is simply `deleted`; a ready or encoding one is `failed`
 * (the catalog stops pointing at it), so the next refresh of the exercise renders it again.
 */
async function markVideoGone(db: CatalogDb, render: VideoRenderRef): Promise<string | undefined> {
  return db.transaction(async (tx) => {
    if (render.status === 'superseded') {
      return (await markRenderDeleted(tx, render.id)) ? 'deleted' : undefined;
    }
    const failed = await failPlayableRender(
      tx,
      render.id,
      `video ${render.bunny_video_id} is gone from the Bunny Stream library (found by reconcile)`,
    );
    if (!failed) return undefined;
    await dropCatalogRender(tx, render.id);
    return 'failed';
  });
}
