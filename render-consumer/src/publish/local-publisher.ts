import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathExists, runFfmpeg } from '@exercise-pipeline/shared';
import { PublishError } from './errors.js';
import { parseHlsPlaylist } from './hls-playlist.js';
import type {
  DeleteResult,
  PublishedStatus,
  Publisher,
  PublishInput,
  PublishLogger,
  PublishResult,
} from './publisher.js';

export interface LocalPublisherOptions {
  /** DATA_DIR; renditions go to `{dataDir}/media/{id}/`. */
  dataDir: string;
  /** Target HLS segment length in seconds (cut at the nearest keyframe). Default 4. */
  hlsSegmentSeconds?: number;
  /** ffmpeg runner; default the shared one. */
  ffmpeg?: typeof runFfmpeg;
  /** Stops ffmpeg after this long. Default 10 min. */
  ffmpegTimeoutMs?: number;
  logger?: PublishLogger | undefined;
}

export const MEDIA_DIR = 'media';
export const MP4_FILE = 'video.mp4';
export const PLAYLIST_FILE = 'playlist.m3u8';

/** Ids are our own UUIDs; anything else is refused so an id can never point outside the media dir. */
const LOCAL_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function localPlaybackUrl(videoId: string): string {
  return `/${MEDIA_DIR}/${videoId}/${PLAYLIST_FILE}`;
}

/**
 * The default target: keeps the mp4 and an HLS rendition (stream copy, no re-encode) under
 * DATA_DIR so a laptop or NAS install plays renders from the consumer's own HTTP server.
 */
export class LocalPublisher implements Publisher {
  readonly target = 'local' as const;
  readonly #mediaDir: string;
  readonly #segmentSeconds: number;
  readonly #ffmpeg: typeof runFfmpeg;
  readonly #timeoutMs: number;
  readonly #logger: PublishLogger | undefined;

  constructor(options: LocalPublisherOptions) {
    this.#mediaDir = resolve(options.dataDir, MEDIA_DIR);
    this.#segmentSeconds = options.hlsSegmentSeconds ?? 4;
    this.#ffmpeg = options.ffmpeg ?? runFfmpeg;
    this.#timeoutMs = options.ffmpegTimeoutMs ?? 600_000;
    this.#logger = options.logger;
  }

  async publish(input: PublishInput): Promise<PublishResult> {
    const videoId = randomUUID();
    // Built beside the final place and renamed in one step, so a reader sees a complete
    // rendition or none; a crash leaves only a `.staging-*` dir that status/delete never name.
    const staging = join(this.#mediaDir, `.staging-${videoId}`);
    try {
      await mkdir(staging, { recursive: true });
      const mp4 = join(staging, MP4_FILE);
      await copyFile(input.filePath, mp4);
      await this.#ffmpeg(
        [
          '-i',
          mp4,
          ...['-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy'],
          ...['-f', 'hls', '-hls_time', String(this.#segmentSeconds), '-hls_playlist_type', 'vod'],
          ...['-hls_segment_filename', join(staging, 'segment-%05d.ts')],
          join(staging, PLAYLIST_FILE),
        ],
        { timeoutMs: this.#timeoutMs },
      );
      await rename(staging, this.#dirOf(videoId));
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw new PublishError(
        `local publish of ${input.filePath} (${input.exercise}, ${input.language}) failed: ${(error as Error).message} — check that the file is a readable mp4 and ${this.#mediaDir} is writable`,
        { cause: error },
      );
    }
    this.#logger?.info(
      { videoId, exercise: input.exercise, language: input.language, durationSeconds: input.durationSeconds },
      'published render locally',
    );
    // The files play as soon as they are written: nothing to wait for.
    return { videoId, playbackUrl: localPlaybackUrl(videoId), state: 'ready' };
  }

  async status(videoId: string): Promise<PublishedStatus> {
    if (!LOCAL_ID_PATTERN.test(videoId)) return { state: 'missing', raw: { reason: 'not a local media id' } };
    const dir = this.#dirOf(videoId);
    if (!(await pathExists(dir))) return { state: 'missing' };
    let text: string;
    try {
      text = await readFile(join(dir, PLAYLIST_FILE), 'utf8');
    } catch {
      return { state: 'failed', raw: { dir, reason: `${PLAYLIST_FILE} is missing` } };
    }
    try {
      const playlist = parseHlsPlaylist(text);
      const absent: string[] = [];
      for (const segment of playlist.segments) {
        if (!(await pathExists(join(dir, segment.uri)))) absent.push(segment.uri);
      }
      if (!playlist.ended || absent.length > 0 || playlist.segments.length === 0) {
        return { state: 'failed', raw: { dir, reason: 'incomplete rendition', absentSegments: absent } };
      }
      const mp4 = await stat(join(dir, MP4_FILE));
      return {
        state: 'ready',
        raw: {
          dir,
          segments: playlist.segments.length,
          durationSeconds: playlist.totalSeconds,
          mp4Bytes: mp4.size,
        },
      };
    } catch (error) {
      return { state: 'failed', raw: { dir, reason: (error as Error).message } };
    }
  }

  async delete(videoId: string): Promise<DeleteResult> {
    if (!LOCAL_ID_PATTERN.test(videoId)) {
      throw new PublishError(
        `cannot delete "${videoId}": not an id of the local publisher (a UUID) — was it published with PUBLISH_TARGET=bunny?`,
      );
    }
    const dir = this.#dirOf(videoId);
    if (!(await pathExists(dir))) return { deleted: false };
    await rm(dir, { recursive: true, force: true });
    return { deleted: true };
  }

  #dirOf(videoId: string): string {
    return join(this.#mediaDir, videoId);
  }
}
