import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { mp4DurationSeconds } from './mp4-duration.js';

/** Where the double keeps uploaded bytes: in memory (default), on disk, or nowhere (hash only, for big files). */
export type UploadStorage = 'memory' | 'none' | { dir: string };

export interface LibraryOptions {
  libraryId: number;
  storage: UploadStorage;
  /** After an upload completes: status 1 (Uploaded) until this, then 3 (Transcoding). */
  transcodingAfterMs: number;
  /** After an upload completes: status 4 (Finished) from this on. */
  finishedAfterMs: number;
  clock: () => number;
  /** Each upload request's body is read no faster than this (bytes per second); default unlimited. */
  uploadBytesPerSecond?: number;
  /**
   * Told when an upload completed, so the double can schedule the transcode's webhook calls; the
   * answer is the failure message when this video's transcode is to fail, else undefined.
   */
  onUploaded?: (videoId: string) => string | undefined;
}

/** What the double received for one video's upload. */
export interface RecordedUpload {
  videoId: string;
  bytes: number;
  sha256: string;
  /** Number of body chunks: more than one proves the client streamed rather than sent one blob. */
  chunks: number;
  firstChunkAt: number;
  completedAt: number;
  enabledResolutions: string | undefined;
  /** The bytes, with storage 'memory'. */
  data?: Buffer;
  /** The file, with storage { dir }. */
  path?: string;
}

export interface Reply {
  status: number;
  body?: unknown;
}

interface StoredVideo {
  guid: string;
  seq: number;
  title: string;
  collectionId: string;
  createdAt: number;
  upload: 'none' | 'receiving' | 'done';
  uploadedAt?: number;
  lengthSeconds: number;
  forcedStatus?: number;
  /** Milliseconds into the video where the thumbnail is taken; null → Bunny's default. */
  thumbnailTime: number | null;
  /** The transcode timeline in force when its upload completed. */
  timings?: { transcodingAfterMs: number; finishedAfterMs: number };
  /** Set when the transcode is to fail: status 5 from `finishedAfterMs` on, with this message. */
  transcodeFailure?: string;
}

interface StoredCollection {
  guid: string;
  seq: number;
  name: string;
}

export const statusBody = (statusCode: number, message: string | null): Reply => ({
  status: statusCode,
  body: { success: statusCode < 400, message, statusCode },
});

/** The state of one Bunny Stream library and the endpoint logic, without any HTTP plumbing. */
export class BunnyLibrary {
  readonly videos = new Map<string, StoredVideo>();
  readonly collections = new Map<string, StoredCollection>();
  readonly uploads = new Map<string, RecordedUpload>();
  #seq = 0;

  constructor(readonly options: LibraryOptions) {}

  createVideo(body: unknown): Reply {
    const input = (body ?? {}) as { title?: unknown; collectionId?: unknown; thumbnailTime?: unknown };
    if (typeof input.title !== 'string' || input.title.length < 1) {
      return statusBody(400, 'The Title field is required.');
    }
    const thumbnailTime = input.thumbnailTime ?? null;
    if (thumbnailTime !== null && (!Number.isInteger(thumbnailTime) || (thumbnailTime as number) < 0)) {
      return statusBody(400, 'The field thumbnailTime must be a whole number of milliseconds.');
    }
    const collectionId = typeof input.collectionId === 'string' ? input.collectionId : '';
    if (collectionId !== '' && !this.collections.has(collectionId)) {
      return statusBody(400, 'The requested collection was not found.');
    }
    const video: StoredVideo = {
      guid: randomUUID(),
      seq: ++this.#seq,
      title: input.title,
      collectionId,
      createdAt: this.options.clock(),
      upload: 'none',
      lengthSeconds: 0,
      thumbnailTime: thumbnailTime as number | null,
    };
    this.videos.set(video.guid, video);
    return { status: 200, body: this.videoModel(video) };
  }

  async upload(
    videoId: string,
    request: IncomingMessage,
    enabledResolutions: string | undefined,
  ): Promise<Reply> {
    const video = this.videos.get(videoId);
    if (!video) return { status: 404 };
    if (video.upload !== 'none') return statusBody(400, 'The video has already been uploaded.');
    video.upload = 'receiving';
    const record: RecordedUpload = {
      videoId,
      bytes: 0,
      sha256: '',
      chunks: 0,
      firstChunkAt: 0,
      completedAt: 0,
      enabledResolutions,
    };
    const hash = createHash('sha256');
    const kept: Buffer[] = [];
    const storage = this.options.storage;
    const file =
      typeof storage === 'object' ? createWriteStream(join(storage.dir, `${videoId}.mp4`)) : undefined;
    try {
      for await (const chunk of throttled(request, this.options.uploadBytesPerSecond)) {
        if (record.chunks === 0) record.firstChunkAt = this.options.clock();
        record.chunks++;
        record.bytes += chunk.length;
        hash.update(chunk);
        if (storage === 'memory') kept.push(chunk);
        if (file && !file.write(chunk))
          await new Promise<void>((resolve) => file.once('drain', () => resolve()));
      }
    } catch (error) {
      // The client went away mid-upload: like Bunny, keep the video waiting for a new upload.
      video.upload = 'none';
      file?.destroy();
      throw error;
    }
    if (file) {
      file.end();
      await finished(file);
      record.path = file.path as string;
    }
    record.sha256 = hash.digest('hex');
    record.completedAt = this.options.clock();
    if (storage === 'memory') record.data = Buffer.concat(kept);
    const content = record.data ?? (record.path ? await readFile(record.path) : undefined);
    this.#markUploaded(video, record, content);
    return statusBody(200, 'OK');
  }

  /**
   * Takes the bytes a resumable (tus) upload assembled, as `upload` takes a raw one. False when the
   * video is unknown or already has content (Bunny refuses a second upload).
   */
  async completeResumableUpload(videoId: string, data: Buffer, chunks: number): Promise<boolean> {
    const video = this.videos.get(videoId);
    if (video?.upload !== 'none') return false;
    const now = this.options.clock();
    const record: RecordedUpload = {
      videoId,
      bytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      chunks,
      firstChunkAt: now,
      completedAt: now,
      enabledResolutions: undefined,
    };
    const storage = this.options.storage;
    if (storage === 'memory') record.data = data;
    if (typeof storage === 'object') {
      record.path = join(storage.dir, `${videoId}.mp4`);
      await writeFile(record.path, data);
    }
    this.#markUploaded(video, record, data);
    return true;
  }

  /** A video whose bytes arrived (raw or resumable): its length, timings and the upload record. */
  #markUploaded(video: StoredVideo, record: RecordedUpload, content: Buffer | undefined): void {
    video.lengthSeconds = Math.round(content ? (mp4DurationSeconds(content) ?? 0) : 0);
    video.upload = 'done';
    video.uploadedAt = record.completedAt;
    video.timings = {
      transcodingAfterMs: this.options.transcodingAfterMs,
      finishedAfterMs: this.options.finishedAfterMs,
    };
    this.uploads.set(record.videoId, record);
    const failure = this.options.onUploaded?.(record.videoId);
    if (failure !== undefined) video.transcodeFailure = failure;
  }

  getVideo(videoId: string): Reply {
    const video = this.videos.get(videoId);
    return video ? { status: 200, body: this.videoModel(video) } : { status: 404 };
  }

  listVideos(query: URLSearchParams): Reply {
    const collection = query.get('collection') ?? '';
    const matching = [...this.videos.values()].filter(
      (video) =>
        matchesSearch(video.title, query) && (collection === '' || video.collectionId === collection),
    );
    return page(matching, query, (video) => this.videoModel(video));
  }

  deleteVideo(videoId: string): Reply {
    if (!this.videos.delete(videoId)) return { status: 404 };
    this.uploads.delete(videoId);
    return statusBody(200, 'OK');
  }

  createCollection(body: unknown): Reply {
    const input = (body ?? {}) as { name?: unknown };
    if (typeof input.name !== 'string' || input.name.length < 1) {
      return statusBody(400, 'The Name field is required.');
    }
    const collection = { guid: randomUUID(), seq: ++this.#seq, name: input.name };
    this.collections.set(collection.guid, collection);
    return { status: 200, body: this.collectionModel(collection) };
  }

  listCollections(query: URLSearchParams): Reply {
    const matching = [...this.collections.values()].filter((collection) =>
      matchesSearch(collection.name, query),
    );
    return page(matching, query, (collection) => this.collectionModel(collection));
  }

  getCollection(collectionId: string): Reply {
    const collection = this.collections.get(collectionId);
    return collection ? { status: 200, body: this.collectionModel(collection) } : { status: 404 };
  }

  deleteCollection(collectionId: string): Reply {
    if (!this.collections.delete(collectionId)) return { status: 404 };
    return statusBody(200, 'OK');
  }

  /** Bunny's status code for the video right now: 0 before upload, then 1 → 3 → 4 (or 5) over time. */
  statusOf(video: StoredVideo): number {
    if (video.forcedStatus !== undefined) return video.forcedStatus;
    if (video.upload !== 'done' || video.uploadedAt === undefined) return 0;
    const elapsed = this.options.clock() - video.uploadedAt;
    const timings = video.timings ?? this.options;
    if (elapsed >= timings.finishedAfterMs) return video.transcodeFailure === undefined ? 4 : 5;
    return elapsed >= timings.transcodingAfterMs ? 3 : 1;
  }

  /** Bunny's transcoding messages: one error entry for a failed transcode. */
  transcodingMessages(video: StoredVideo, status: number): Record<string, unknown>[] {
    if (status !== 5 || video.transcodeFailure === undefined || video.uploadedAt === undefined) return [];
    return [
      {
        timeStamp: new Date(video.uploadedAt + (video.timings ?? this.options).finishedAfterMs).toISOString(),
        level: 3,
        issueCode: 1,
        message: video.transcodeFailure,
        value: null,
      },
    ];
  }

  videoModel(video: StoredVideo): Record<string, unknown> {
    const status = this.statusOf(video);
    const done = status === 4;
    return {
      videoLibraryId: this.options.libraryId,
      guid: video.guid,
      title: video.title,
      dateUploaded: new Date(video.createdAt).toISOString(),
      views: 0,
      isPublic: false,
      length: done ? video.lengthSeconds : 0,
      status,
      framerate: 0,
      width: 0,
      height: 0,
      availableResolutions: done ? '360p,720p' : null,
      thumbnailCount: 0,
      encodeProgress: done ? 100 : status === 3 ? 50 : 0,
      storageSize: this.uploads.get(video.guid)?.bytes ?? 0,
      captions: [],
      hasMP4Fallback: false,
      collectionId: video.collectionId,
      thumbnailFileName: 'thumbnail.jpg',
      thumbnailTime: video.thumbnailTime,
      transcodingMessages: this.transcodingMessages(video, status),
    };
  }

  collectionModel(collection: StoredCollection): Record<string, unknown> {
    const members = [...this.videos.values()].filter((video) => video.collectionId === collection.guid);
    return {
      videoLibraryId: this.options.libraryId,
      guid: collection.guid,
      name: collection.name,
      videoCount: members.length,
      totalSize: members.reduce((sum, video) => sum + (this.uploads.get(video.guid)?.bytes ?? 0), 0),
      previewVideoIds: null,
    };
  }
}

function matchesSearch(text: string, query: URLSearchParams): boolean {
  const search = query.get('search') ?? '';
  return search === '' || text.toLowerCase().includes(search.toLowerCase());
}

/** Bunny's paging: 1-based `page`, `itemsPerPage` (default 100), newest first unless `orderBy=title`/`name`. */
function page<T extends { seq: number; title?: string; name?: string }>(
  items: T[],
  query: URLSearchParams,
  toModel: (item: T) => Record<string, unknown>,
): Reply {
  const pageNumber = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
  const perPage = Math.min(1000, Math.max(1, Number.parseInt(query.get('itemsPerPage') ?? '100', 10) || 100));
  const orderBy = query.get('orderBy') ?? 'date';
  const sorted =
    orderBy === 'title' || orderBy === 'name'
      ? [...items].sort((a, b) => (a.title ?? a.name ?? '').localeCompare(b.title ?? b.name ?? ''))
      : [...items].sort((a, b) => b.seq - a.seq);
  const slice = sorted.slice((pageNumber - 1) * perPage, pageNumber * perPage);
  return {
    status: 200,
    body: {
      totalItems: items.length,
      currentPage: pageNumber,
      itemsPerPage: perPage,
      items: slice.map(toModel),
    },
  };
}

/**
 * The chunks of an upload body, read no faster than `bytesPerSecond` (undefined: as fast as they
 * come). Reading is what paces the sender: a paused read fills the socket and TCP slows the client,
 * as a bandwidth limit per connection does.
 */
export async function* throttled(
  body: AsyncIterable<Buffer>,
  bytesPerSecond: number | undefined,
): AsyncGenerator<Buffer> {
  if (bytesPerSecond === undefined || !(bytesPerSecond > 0)) {
    yield* body;
    return;
  }
  const started = Date.now();
  let bytes = 0;
  for await (const chunk of body) {
    yield chunk;
    bytes += chunk.length;
    const due = started + (bytes / bytesPerSecond) * 1000 - Date.now();
    if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
  }
}
