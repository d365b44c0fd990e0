import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { sleep, toPutEventsEntry } from '@exercise-pipeline/shared';
import type { CatalogDb } from '../catalog/database.js';
import { getExercise } from '../catalog/exercises.js';
import { type RenderRow, TRANSCODE_ATTEMPTS } from '../catalog/renders.js';
import {
  claimDueTranscodes,
  failTranscode,
  finishTranscode,
  noteTranscodeProgress,
  type TranscodeBackoff,
} from '../catalog/transcodes.js';
import type { PublishedStatus, Publisher } from '../publish/publisher.js';
import type { EnsureRender } from '../render/ensure-render.js';

export interface TranscodeWatcherOptions {
  db: CatalogDb;
  publisher: Pick<Publisher, 'status' | 'delete'>;
  /** Re-renders a render whose first transcode failed (the automatic re-upload). */
  ensureRender: Pick<EnsureRender, 'ensure'>;
  /** RENDER_GRACE_SECONDS: how long the preview a new render replaces stays published. */
  graceSeconds: number;
  /** Where "Render Ready"/"Render Failed" of catalog previews go; absent → no events. */
  events?: EventBridgeClient;
  eventBusName: string;
  /** Backoff of the poll per render; default 5 s doubling up to 60 s. */
  backoff?: TranscodeBackoff;
  /** How often due renders are looked for; default 2 s. */
  tickMs?: number;
  /** Renders asked about per tick; default 20. */
  batchSize?: number;
  /**
   * A transcode still unfinished after this long counts as failed (Bunny stuck on a video);
   * default 4 h (TRANSCODE_TIMEOUT_SECONDS).
   */
  maxEncodingSeconds?: number;
  logger?: {
    info(fields: object, message: string): void;
    warn(fields: object, message: string): void;
  };
}

export const DEFAULT_TRANSCODE_BACKOFF: TranscodeBackoff = { baseSeconds: 5, maxSeconds: 60 };

export const DEFAULT_MAX_ENCODING_SECONDS = 4 * 3600;

/** What became of a report about a render's transcode. */
export type TranscodeOutcome = 'ready' | 'failed' | 'retrying' | 'processing' | 'ignored';

/**
 * Learns when Bunny has finished (or failed) transcoding an encoding render and moves the catalog on:
 * from Bunny's webhook (`applyReport`, called by the webhook route) and, for a missed or absent webhook,
 * by polling `GET /videos/{id}` with a per-render backoff. It runs beside the queue consumer, never
 * inside a message's handling, so a render message is not held in flight for a transcode.
 */
export class TranscodeWatcher {
  readonly #options: TranscodeWatcherOptions;
  readonly #backoff: TranscodeBackoff;
  readonly #stopping = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: TranscodeWatcherOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? DEFAULT_TRANSCODE_BACKOFF;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops polling and waits for the round under way; re-renders it started are EnsureRender's to drain. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#loop;
  }

  /** One poll round: asks the publisher about every due encoding render. Returns how many it asked. */
  async pollOnce(): Promise<number> {
    const due = await claimDueTranscodes(this.#options.db, this.#options.batchSize ?? 20, this.#backoff);
    for (const render of due) {
      if (this.#stopping.signal.aborted) break;
      if (render.bunny_video_id === null) continue;
      try {
        const reported = await this.#options.publisher.status(render.bunny_video_id);
        const limit = this.#options.maxEncodingSeconds ?? DEFAULT_MAX_ENCODING_SECONDS;
        const stuck = reported.state === 'processing' && Number(render.encoding_seconds) > limit;
        await this.applyReport(
          render,
          stuck
            ? {
                state: 'failed',
                message: `Bunny Stream did not finish transcoding within ${limit} s (still ${describeProgress(reported)})`,
              }
            : reported,
        );
      } catch (error) {
        // Bunny or the database briefly away: the backoff already moved this render's next check.
        this.#options.logger?.warn(
          { renderId: render.id, videoId: render.bunny_video_id, err: error },
          'could not check a transcode; asking again later',
        );
      }
    }
    return due.length;
  }

  /**
   * Applies what the publisher reports about an encoding render. Idempotent: a render that is not
   * encoding any more (reported already, superseded) is left alone.
   */
  async applyReport(render: RenderRow, reported: PublishedStatus): Promise<TranscodeOutcome> {
    const { db, logger } = this.#options;
    if (reported.state === 'processing') {
      if (reported.progress !== undefined) await noteTranscodeProgress(db, render.id, reported.progress);
      return 'processing';
    }
    if (reported.state === 'ready') {
      const finished = await finishTranscode(db, render.id, this.#options.graceSeconds);
      if (!finished) return 'ignored';
      logger?.info(
        { renderId: render.id, videoId: render.bunny_video_id, catalogPreview: finished.promoted },
        finished.promoted
          ? 'transcode finished: render ready and now the catalog preview'
          : 'transcode finished: render ready',
      );
      if (finished.render.catalog_preview) await this.#announceReady(finished.render);
      return 'ready';
    }
    const message =
      reported.message ??
      (reported.state === 'missing'
        ? 'the video is no longer in the Bunny Stream library (deleted outside the pipeline?)'
        : 'Bunny Stream reported the transcode failed without a message');
    const failed = await failTranscode(db, render.id, message);
    if (!failed) return 'ignored';
    // Nothing is left behind: a video Bunny cannot play serves nobody.
    if (failed.bunny_video_id !== null) {
      await this.#options.publisher.delete(failed.bunny_video_id).catch((error: unknown) => {
        logger?.warn(
          { renderId: failed.id, videoId: failed.bunny_video_id, err: error },
          'could not delete the video of a failed transcode; `consumer reconcile --fix` removes it',
        );
      });
    }
    if (failed.transcode_failures < TRANSCODE_ATTEMPTS && (await this.#reRender(failed))) {
      return 'retrying';
    }
    logger?.warn(
      { renderId: failed.id, videoId: failed.bunny_video_id, failures: failed.transcode_failures, message },
      'transcode failed: render failed',
    );
    if (failed.catalog_preview) await this.#announceFailed(failed, message);
    return 'failed';
  }

  async #run(): Promise<void> {
    const tickMs = this.#options.tickMs ?? 2000;
    while (!this.#stopping.signal.aborted) {
      try {
        await this.pollOnce();
      } catch (error) {
        this.#options.logger?.warn({ err: error }, 'transcode poll failed; trying again');
      }
      // A stop ends the wait early; the loop then sees it and returns.
      await sleep(tickMs, this.#stopping.signal).catch(() => undefined);
    }
  }

  /**
   * The one automatic re-upload: the render is composed and published again (the rendered file is
   * not kept after an upload, and the same recipe, seed and asset version give the same video).
   * Only for a composed render of the exercise's current asset version; false when not possible.
   */
  async #reRender(render: RenderRow): Promise<boolean> {
    if (render.recipe === null) return false;
    const exercise = await getExercise(this.#options.db, render.exercise_id);
    if (exercise?.status !== 'active' || exercise.asset_version !== render.asset_version) {
      return false;
    }
    this.#options.logger?.warn(
      { renderId: render.id, videoId: render.bunny_video_id, error: render.error },
      'transcode failed: rendering and uploading once more',
    );
    // Not awaited: the webhook answers at once and the poll goes on; EnsureRender tracks the render.
    this.#options.ensureRender
      .ensure({ recipeInput: render.recipe, exercise: exercise.slug, catalogPreview: render.catalog_preview })
      .catch((error: unknown) => {
        this.#options.logger?.warn(
          { renderId: render.id, err: error },
          'the re-render after a failed transcode failed',
        );
      });
    return true;
  }

  async #announceReady(render: RenderRow): Promise<void> {
    const exercise = await getExercise(this.#options.db, render.exercise_id);
    if (!exercise) return;
    await this.#putEvent({
      type: 'render-ready',
      exercise: exercise.slug,
      language: render.language,
      renderId: String(render.id),
      assetVersion: render.asset_version,
      recipeHash: render.recipe_hash,
      ...(render.bunny_video_id ? { bunnyVideoId: render.bunny_video_id } : {}),
      playbackUrl: render.playback_url ?? '',
      durationSeconds: render.duration_seconds ?? 0,
      ...noticeFields(render, exercise),
      // Bunny's playback URLs are absolute: that is the link people open.
      ...(render.playback_url && /^https?:\/\//i.test(render.playback_url)
        ? { previewUrl: render.playback_url }
        : {}),
    });
  }

  async #announceFailed(render: RenderRow, message: string): Promise<void> {
    const exercise = await getExercise(this.#options.db, render.exercise_id);
    if (!exercise) return;
    await this.#putEvent({
      type: 'render-failed',
      exercise: exercise.slug,
      language: render.language,
      assetVersion: render.asset_version,
      error: message,
      ...noticeFields(render, exercise),
    });
  }

  async #putEvent(event: Parameters<typeof toPutEventsEntry>[1]): Promise<void> {
    if (!this.#options.events) return;
    try {
      await this.#options.events.send(
        new PutEventsCommand({ Entries: [toPutEventsEntry(this.#options.eventBusName, event)] }),
      );
    } catch (error) {
      this.#options.logger?.warn({ err: error, type: event.type }, 'could not put a render event');
    }
  }
}

function describeProgress(reported: PublishedStatus): string {
  const raw = reported.raw as { status?: unknown } | undefined;
  const status = typeof raw?.status === 'number' ? `status ${raw.status}` : 'processing';
  return reported.progress === undefined ? status : `${status}, ${reported.progress} % encoded`;
}

/**
 * The fingerprint is the exercise's current one, so it is sent only while the render is of the
 * current asset version: a render of an older version finishing late must not be tied to a newer sync.
 */
function noticeFields(
  render: RenderRow,
  exercise: { asset_version: number; asset_fingerprint: string | null },
): { catalogPreview: true; fingerprint?: string } {
  const current = exercise.asset_version === render.asset_version && exercise.asset_fingerprint !== null;
  return { catalogPreview: true, ...(current ? { fingerprint: exercise.asset_fingerprint as string } : {}) };
}
