import { stat } from 'node:fs/promises';
import type { BunnyClient } from './bunny-client.js';
import { BUNNY_VIDEO_STATUS, type BunnyCollection, type BunnyVideo, isFailedStatus } from './bunny-models.js';
import { BunnyApiError } from './errors.js';
import type {
  DeleteResult,
  PublishedState,
  PublishedStatus,
  Publisher,
  PublishInput,
  PublishLogger,
  PublishResult,
} from './publisher.js';

export interface BunnyPublisherOptions {
  client: BunnyClient;
  /** Pull zone hostname of the library (BUNNY_STREAM_CDN_HOSTNAME), e.g. `vz-1234.b-cdn.net`. */
  cdnHostname: string;
  /** Files larger than this go through the resumable (tus) upload; default 100 MiB (BUNNY_TUS_THRESHOLD_BYTES). */
  tusThresholdBytes?: number;
  logger?: PublishLogger | undefined;
}

export const DEFAULT_TUS_THRESHOLD_BYTES = 100 * 1024 * 1024;

/** Length of the recipe-hash prefix in titles: enough to tell renders apart at a glance. */
export const TITLE_HASH_LENGTH = 12;

/** `lumbar-release · ro · 3f9a1c2b7d4e · v2` — what an editor sees in Bunny's dashboard. */
export function videoTitle(
  input: Pick<PublishInput, 'exercise' | 'language' | 'recipeHash' | 'assetVersion'>,
): string {
  return [
    input.exercise,
    input.language,
    input.recipeHash.slice(0, TITLE_HASH_LENGTH),
    `v${input.assetVersion}`,
  ].join(' · ');
}

export function playbackUrl(cdnHostname: string, videoId: string): string {
  const host = cdnHostname.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  return `https://${host}/${encodeURIComponent(videoId)}/playlist.m3u8`;
}

/** Bunny video status → publisher state; unknown and newer codes count as still processing. */
export function stateOfBunnyStatus(status: number): Exclude<PublishedState, 'missing'> {
  if (status === BUNNY_VIDEO_STATUS.finished) return 'ready';
  if (isFailedStatus(status)) return 'failed';
  return 'processing';
}

/**
 * Bunny's own words for a failed video: its transcoding messages of the highest level (errors over
 * warnings), else the status it reported.
 */
export function transcodeFailureMessage(video: BunnyVideo): string {
  const messages = (video.transcodingMessages ?? []).flatMap((entry) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { message, level } = entry as { message?: unknown; level?: unknown };
    return typeof message === 'string' && message.trim() !== ''
      ? [{ message: message.trim(), level: typeof level === 'number' ? level : 0 }]
      : [];
  });
  const top = Math.max(...messages.map((entry) => entry.level));
  const words = messages.filter((entry) => entry.level === top).map((entry) => entry.message);
  const status = video.status === BUNNY_VIDEO_STATUS.uploadFailed ? 'upload failed' : 'transcoding failed';
  return words.length > 0
    ? `Bunny Stream ${status} (status ${video.status}): ${words.join('; ')}`
    : `Bunny Stream ${status} (status ${video.status}) without a message`;
}

/** Publishes renders to a Bunny Stream library, one collection per exercise slug. */
export class BunnyPublisher implements Publisher {
  readonly target = 'bunny' as const;
  readonly #client: BunnyClient;
  readonly #cdnHostname: string;
  readonly #logger: PublishLogger | undefined;
  readonly #tusThresholdBytes: number;
  /**
   * Collection lookups by slug, kept as promises so concurrent publishes of one exercise in this
   * process share a single find-or-create instead of racing to create duplicates.
   */
  readonly #collections = new Map<string, Promise<BunnyCollection>>();

  constructor(options: BunnyPublisherOptions) {
    if (!options.cdnHostname) {
      throw new TypeError('BunnyPublisher: cdnHostname is required (set BUNNY_STREAM_CDN_HOSTNAME)');
    }
    this.#client = options.client;
    this.#cdnHostname = options.cdnHostname;
    this.#logger = options.logger;
    this.#tusThresholdBytes = options.tusThresholdBytes ?? DEFAULT_TUS_THRESHOLD_BYTES;
  }

  async publish(input: PublishInput): Promise<PublishResult> {
    const title = videoTitle(input);
    const { collection, video } = await this.#createVideo(input.exercise, title, input.thumbnailTimeMs);
    try {
      await input.onVideoCreated?.(video.guid);
      const size = (await stat(input.filePath)).size;
      if (size > this.#tusThresholdBytes) {
        await this.#client.uploadVideoResumable(video.guid, input.filePath, {
          title,
          collectionId: collection.guid,
          ...(input.thumbnailTimeMs === undefined ? {} : { thumbnailTimeMs: input.thumbnailTimeMs }),
          ...(input.signal ? { signal: input.signal } : {}),
        });
      } else {
        await this.#client.uploadVideo(
          video.guid,
          input.filePath,
          input.signal ? { signal: input.signal } : {},
        );
      }
    } catch (error) {
      // An empty video left behind would show up in the dashboard forever; the error is what matters.
      await this.#client.deleteVideo(video.guid).catch((cleanupError: unknown) => {
        this.#logger?.warn(
          { videoId: video.guid, error: (cleanupError as Error).message },
          'could not delete the Bunny video of a failed upload',
        );
      });
      throw error;
    }
    this.#logger?.info(
      { videoId: video.guid, collectionId: collection.guid, title, durationSeconds: input.durationSeconds },
      'published render to Bunny Stream',
    );
    // Upload completion is not playability: Bunny transcodes for a while and may still fail.
    return {
      videoId: video.guid,
      playbackUrl: playbackUrl(this.#cdnHostname, video.guid),
      state: 'processing',
    };
  }

  async status(videoId: string): Promise<PublishedStatus> {
    const video = await this.#client.getVideo(videoId);
    if (video === null) return { state: 'missing' };
    const state = stateOfBunnyStatus(video.status);
    return {
      state,
      ...(typeof video.encodeProgress === 'number' ? { progress: video.encodeProgress } : {}),
      ...(state === 'failed' ? { message: transcodeFailureMessage(video) } : {}),
      raw: video,
    };
  }

  async delete(videoId: string): Promise<DeleteResult> {
    return this.#client.deleteVideo(videoId);
  }

  /**
   * The collection guid is cached for the process's lifetime; if someone deleted that collection
   * in the dashboard, Bunny refuses the create, so look it up afresh once and try again.
   */
  async #createVideo(exercise: string, title: string, thumbnailTimeMs: number | undefined) {
    const collection = await this.#collectionFor(exercise);
    const thumbnail = thumbnailTimeMs === undefined ? {} : { thumbnailTime: Math.round(thumbnailTimeMs) };
    try {
      return {
        collection,
        video: await this.#client.createVideo({ title, collectionId: collection.guid, ...thumbnail }),
      };
    } catch (error) {
      if (!(error instanceof BunnyApiError) || (error.status !== 400 && error.status !== 404)) throw error;
      this.#collections.delete(exercise);
      const fresh = await this.#collectionFor(exercise);
      if (fresh.guid === collection.guid) throw error;
      return {
        collection: fresh,
        video: await this.#client.createVideo({ title, collectionId: fresh.guid, ...thumbnail }),
      };
    }
  }

  #collectionFor(exercise: string): Promise<BunnyCollection> {
    const cached = this.#collections.get(exercise);
    if (cached) return cached;
    const lookup = this.#client.findOrCreateCollection(exercise);
    this.#collections.set(exercise, lookup);
    // A failed lookup must not poison the cache: the next publish tries again.
    lookup.catch(() => this.#collections.delete(exercise));
    return lookup;
  }
}
