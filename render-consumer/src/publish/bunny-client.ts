import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { z } from 'zod';
import {
  type BunnyBody,
  type BunnyHttpOptions,
  type BunnyRequest,
  defaultSleep,
  redact,
  sendBunnyRequest,
} from './bunny-http.js';
import {
  BUNNY_VIDEO_STATUS,
  type BunnyCollection,
  type BunnyListQuery,
  type BunnyPage,
  type BunnyVideo,
  type BunnyVideoListQuery,
  bunnyCollectionSchema,
  bunnyPageSchema,
  bunnyVideoSchema,
  isLostCreate,
  isUploadedStatus,
  type LostCreateMatch,
  parseBunnyDate,
} from './bunny-models.js';
import { type TusUploadOptions, uploadWithTus } from './bunny-tus.js';
import { BunnyApiError } from './errors.js';
import type { PublishLogger } from './publisher.js';
import { type RetryPolicy, resolveRetryPolicy } from './retry-policy.js';

export interface BunnyClientOptions {
  libraryId: string;
  /** The library's Stream API key (not the account key). Never logged, never in error messages. */
  apiKey: string;
  /** Default `https://video.bunnycdn.com`. */
  apiUrl?: string;
  /** Per-attempt timeout of ordinary requests. Default 30 s. */
  timeoutMs?: number;
  /** Per-attempt timeout of an upload, which streams the whole file. Default 1 h. */
  uploadTimeoutMs?: number;
  /** Bounded exponential backoff with jitter; see DEFAULT_RETRY_POLICY. */
  retry?: Partial<RetryPolicy>;
  /** Default the platform `fetch`. */
  fetch?: typeof fetch | undefined;
  logger?: PublishLogger | undefined;
  /** For tests: replaces the backoff wait. */
  sleep?: (ms: number) => Promise<void>;
  /** For tests: jitter source in [0, 1). Default Math.random. */
  random?: () => number;
  /** Resumable (tus) uploads: retry waits and bytes per request; see uploadWithTus. */
  tus?: Pick<TusUploadOptions, 'retryDelaysMs' | 'chunkBytes'>;
}

export const DEFAULT_BUNNY_API_URL = 'https://video.bunnycdn.com';

/** Bunny's page size ceiling keeps exhaustive scans to few requests. */
const SCAN_PAGE_SIZE = 100;

/**
 * How far before a create's first attempt a video it made may be dated: Bunny's clock and ours
 * differ by a little, and a lost attempt is never older than the request itself.
 */
export const LOST_CREATE_CLOCK_SKEW_MS = 5 * 60_000;

/** A typed client for the subset of the Bunny Stream API the pipeline uses. */
export class BunnyClient {
  readonly #http: BunnyHttpOptions;
  readonly #uploadTimeoutMs: number;
  readonly #tus: Pick<TusUploadOptions, 'retryDelaysMs' | 'chunkBytes'>;

  constructor(options: BunnyClientOptions) {
    if (!options.libraryId)
      throw new TypeError('BunnyClient: libraryId is required (BUNNY_STREAM_LIBRARY_ID)');
    if (!options.apiKey) throw new TypeError('BunnyClient: apiKey is required (BUNNY_STREAM_API_KEY)');
    this.#http = {
      apiUrl: options.apiUrl ?? DEFAULT_BUNNY_API_URL,
      libraryId: options.libraryId,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: resolveRetryPolicy(options.retry),
      fetch: options.fetch ?? globalThis.fetch,
      logger: options.logger,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
    };
    this.#uploadTimeoutMs = options.uploadTimeoutMs ?? 3_600_000;
    this.#tus = options.tus ?? {};
  }

  get libraryId(): string {
    return this.#http.libraryId;
  }

  /**
   * Creating is not idempotent: when an attempt's answer is lost (timeout, 5xx) Bunny may have made
   * the video all the same, so before repeating the create the client looks for it (exact title, same
   * collection, still empty, made since the first attempt) and takes that one instead of an orphan.
   */
  async createVideo(input: {
    title: string;
    collectionId?: string;
    thumbnailTime?: number;
  }): Promise<BunnyVideo> {
    const match = {
      title: input.title,
      collectionId: input.collectionId,
      since: Date.now() - LOST_CREATE_CLOCK_SKEW_MS,
    };
    const response = await this.#send({
      operation: 'createVideo',
      method: 'POST',
      path: '/videos',
      json: input,
      findApplied: async () => (await this.findLostVideo(match)) ?? undefined,
    });
    return this.#parse('createVideo', bunnyVideoSchema, response.body);
  }

  /**
   * The newest video a create with a lost answer made (see `isLostCreate`), or null. Bunny lists
   * newest first, so the scan stops at the first page reaching videos older than `match.since`.
   */
  async findLostVideo(match: LostCreateMatch): Promise<BunnyVideo | null> {
    for (let page = 1; ; page++) {
      const result = await this.listVideos({
        page,
        itemsPerPage: SCAN_PAGE_SIZE,
        search: match.title,
        orderBy: 'date',
        ...(match.collectionId ? { collection: match.collectionId } : {}),
      });
      const found = result.items.find((video) => isLostCreate(video, match));
      if (found) return found;
      const seen = (page - 1) * result.itemsPerPage + result.items.length;
      const oldest = parseBunnyDate(result.items.at(-1)?.dateUploaded);
      const olderReached = oldest !== undefined && oldest < match.since;
      if (result.items.length === 0 || seen >= result.totalItems || olderReached) return null;
    }
  }

  /**
   * Stream `filePath` as the video's content. A retried upload that Bunny refuses with 400 is
   * checked against the video: when an earlier attempt's bytes did arrive (status uploaded or
   * later, not failed), the upload counts as done rather than failed; while the video still shows
   * "created", the refusal came from a broken-off attempt and the upload is tried again.
   */
  async uploadVideo(
    videoId: string,
    filePath: string,
    options: { enabledResolutions?: string; signal?: AbortSignal } = {},
  ): Promise<void> {
    const size = await fileSize(filePath, videoId);
    const body = async (): Promise<BunnyBody> => {
      const source = createReadStream(filePath);
      return {
        stream: Readable.toWeb(source) as ReadableStream<Uint8Array>,
        length: size,
        contentType: 'application/octet-stream',
        dispose: () => source.destroy(),
      };
    };
    await this.#send({
      operation: 'uploadVideo',
      method: 'PUT',
      path: `/videos/${encodeURIComponent(videoId)}`,
      query: { enabledResolutions: options.enabledResolutions },
      body,
      timeoutMs: this.#uploadTimeoutMs,
      signal: options.signal,
      afterRetryRefused: async (status) => {
        if (status !== 400) return 'fail';
        const video = await this.getVideo(videoId);
        if (video === null) return 'fail';
        if (isUploadedStatus(video.status)) return 'done';
        // Still "created": Bunny is tearing down an attempt that broke off mid-body; try again.
        return video.status === BUNNY_VIDEO_STATUS.created ? 'retry' : 'fail';
      },
    });
  }

  /**
   * Sends `filePath` as the video's content through Bunny's resumable (tus) endpoint: a dropped
   * connection resumes at the offset Bunny holds instead of starting over. For large files.
   */
  async uploadVideoResumable(
    videoId: string,
    filePath: string,
    options: { title: string; collectionId?: string; thumbnailTimeMs?: number; signal?: AbortSignal },
  ): Promise<void> {
    await fileSize(filePath, videoId);
    await uploadWithTus({
      apiUrl: this.#http.apiUrl,
      libraryId: this.#http.libraryId,
      apiKey: this.#http.apiKey,
      videoId,
      filePath,
      ...options,
      ...this.#tus,
      logger: this.#http.logger,
    });
  }

  /** The video, or null when Bunny does not know it. */
  async getVideo(videoId: string): Promise<BunnyVideo | null> {
    const response = await this.#send({
      operation: 'getVideo',
      method: 'GET',
      path: `/videos/${encodeURIComponent(videoId)}`,
      expectedStatuses: [404],
    });
    return response.status === 404 ? null : this.#parse('getVideo', bunnyVideoSchema, response.body);
  }

  async listVideos(query: BunnyVideoListQuery = {}): Promise<BunnyPage<BunnyVideo>> {
    const response = await this.#send({
      operation: 'listVideos',
      method: 'GET',
      path: '/videos',
      query: { ...listQuery(query), collection: query.collection },
    });
    return this.#parse('listVideos', bunnyPageSchema(bunnyVideoSchema), response.body);
  }

  /** Deleting a video that is already gone is not an error: `{deleted: false}`. */
  async deleteVideo(videoId: string): Promise<{ deleted: boolean }> {
    const response = await this.#send({
      operation: 'deleteVideo',
      method: 'DELETE',
      path: `/videos/${encodeURIComponent(videoId)}`,
      expectedStatuses: [404],
    });
    return { deleted: response.status !== 404 };
  }

  async listCollections(query: BunnyListQuery = {}): Promise<BunnyPage<BunnyCollection>> {
    const response = await this.#send({
      operation: 'listCollections',
      method: 'GET',
      path: '/collections',
      query: listQuery(query),
    });
    return this.#parse('listCollections', bunnyPageSchema(bunnyCollectionSchema), response.body);
  }

  /** Like `createVideo`, a repeat after a lost answer first looks for the collection by exact name. */
  async createCollection(name: string): Promise<BunnyCollection> {
    const response = await this.#send({
      operation: 'createCollection',
      method: 'POST',
      path: '/collections',
      json: { name },
      findApplied: async () => (await this.findCollection(name)) ?? undefined,
    });
    return this.#parse('createCollection', bunnyCollectionSchema, response.body);
  }

  async getCollection(collectionId: string): Promise<BunnyCollection | null> {
    const response = await this.#send({
      operation: 'getCollection',
      method: 'GET',
      path: `/collections/${encodeURIComponent(collectionId)}`,
      expectedStatuses: [404],
    });
    return response.status === 404
      ? null
      : this.#parse('getCollection', bunnyCollectionSchema, response.body);
  }

  async deleteCollection(collectionId: string): Promise<{ deleted: boolean }> {
    const response = await this.#send({
      operation: 'deleteCollection',
      method: 'DELETE',
      path: `/collections/${encodeURIComponent(collectionId)}`,
      expectedStatuses: [404],
    });
    return { deleted: response.status !== 404 };
  }

  /** The collection whose name is exactly `name` (Bunny's search is a substring match), or null. */
  async findCollection(name: string): Promise<BunnyCollection | null> {
    for (let page = 1; ; page++) {
      const result = await this.listCollections({ page, itemsPerPage: SCAN_PAGE_SIZE, search: name });
      const match = result.items.find((collection) => collection.name === name);
      if (match) return match;
      const seen = (page - 1) * result.itemsPerPage + result.items.length;
      if (result.items.length === 0 || seen >= result.totalItems) return null;
    }
  }

  async findOrCreateCollection(name: string): Promise<BunnyCollection> {
    return (await this.findCollection(name)) ?? (await this.createCollection(name));
  }

  #send(request: BunnyRequest) {
    return sendBunnyRequest(this.#http, request);
  }

  #parse<T extends z.ZodType>(operation: string, schema: T, body: unknown): z.infer<T> {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const problem = parsed.error.issues[0];
    const where = problem ? `${problem.path.join('.') || '(root)'}: ${problem.message}` : 'unexpected shape';
    throw new BunnyApiError(
      redact(
        `Bunny Stream ${operation} returned an answer the client does not understand (${where}) — check BUNNY_STREAM_API_URL points at the Stream API`,
        this.#http.apiKey,
      ),
      { operation },
    );
  }
}

function listQuery(query: BunnyListQuery): Record<string, string | number | undefined> {
  return {
    page: query.page ?? 1,
    itemsPerPage: query.itemsPerPage ?? SCAN_PAGE_SIZE,
    search: query.search,
    orderBy: query.orderBy,
  };
}

async function fileSize(filePath: string, videoId: string): Promise<number> {
  try {
    const info = await stat(filePath);
    if (!info.isFile()) throw new Error('not a regular file');
    return info.size;
  } catch (error) {
    throw new BunnyApiError(
      `cannot upload ${filePath} to Bunny video ${videoId}: ${(error as Error).message} — the render file must exist until publishing ends`,
      { operation: 'uploadVideo', cause: error },
    );
  }
}
