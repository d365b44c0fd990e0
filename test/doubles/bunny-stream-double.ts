import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TrackedResource, trackResource } from '../harness/resources.js';
import { BunnyTusEndpoint, TUS_PATH, type TusUploadState } from './bunny-tus-double.js';
import {
  BunnyLibrary,
  type RecordedUpload,
  type Reply,
  statusBody,
  type UploadStorage,
} from './bunny-stream-library.js';

/**
 * A local stand-in for the Bunny Stream API (the subset in shared/reference/bunny-stream-api.md):
 * AccessKey auth, videos (create, raw upload, get, paged list, delete) and collections. Like Bunny,
 * an upload is not a playable video: the status moves 0 → 1 → 3 → 4 (or 5 when the transcode fails)
 * on the timeline the test sets, and with a webhook URL the double calls it, signed with the
 * library's read-only key, at each step. Tests inspect what it received and inject faults.
 */

export interface BunnyStreamDoubleOptions {
  /** Default 4242. */
  libraryId?: number;
  /** Default a random key. */
  apiKey?: string;
  /** Default 'memory'; use 'none' for big files (sha256 and size are always recorded). */
  storage?: UploadStorage;
  /** Status 1 (Uploaded) lasts this long after an upload; then 3 (Transcoding). Default 20 ms. */
  transcodingAfterMs?: number;
  /** Status 4 (Finished) from this long after an upload. Default 60 ms. */
  finishedAfterMs?: number;
  /**
   * Time source of the status timeline; pass a controllable one to step through it without waiting.
   * Webhook calls are sent by real timers at the same offsets whatever the clock says.
   */
  clock?: () => number;
  /** The library's read-only API key, which signs webhook calls. Default a random key. */
  readOnlyApiKey?: string;
  /** Where webhook calls go (Bunny's per-library webhook URL); default none. See setWebhookUrl. */
  webhookUrl?: string;
  /**
   * Each upload (raw PUT or tus PATCH) is read no faster than this many bytes per second, per
   * connection, like Bunny's ingest seen from a host with a thin uplink. Default unlimited.
   */
  uploadBytesPerSecond?: number;
  /** Every request waits this long before it is handled, like a round trip to a distant API. Default 0. */
  latencyMs?: number;
}

/**
 * Webhook status numbers (a different list from the API's video status), written from the reference
 * rather than imported from the consumer's webhook-signature.ts, so the double stays an independent
 * check of the contract: a wrong number on either side fails the webhook tests.
 */
export const WEBHOOK_STATUS = {
  queued: 0,
  processing: 1,
  encoding: 2,
  finished: 3,
  resolutionFinished: 4,
  failed: 5,
} as const;

/** One webhook call the double made. */
export interface WebhookDelivery {
  videoId: string;
  status: number;
  /** The raw body, exactly as signed. */
  body: string;
  signature: string;
  /** The receiver's answer; 0 when it could not be reached. */
  answer: number;
  sentAt: number;
}

/** Which requests a fault applies to; path is relative to `/library/{id}`, e.g. /^\/videos\/[^/]+$/. */
export interface RequestMatch {
  method?: string;
  path?: RegExp;
}

export interface RecordedRequest {
  method: string;
  /** Relative to `/library/{id}`, without the query. */
  path: string;
  query: Record<string, string>;
  /** What the double answered; 0 when the client went away before an answer. */
  status: number;
  authorized: boolean;
  /** `injected` answered without handling, `after-handling` handled then answered with the fault status. */
  fault?: 'injected' | 'after-handling';
  delayedMs?: number;
  receivedAt: number;
}

interface Fault extends RequestMatch {
  remaining: number;
  status: number;
  afterHandling: boolean;
  /** Answer HTTP 200 with this message in a `"success": false` status body instead. */
  unsuccessful?: string;
}

/** An upload the double leaves unread until the test releases it. */
export interface UploadHold {
  /** Resolves with the video id once the upload's headers arrived (its body is not read yet). */
  arrived: Promise<string>;
  release(): void;
}

interface PendingHold {
  arrive(videoId: string): void;
  released: Promise<void>;
}

interface Delay extends RequestMatch {
  remaining: number;
  ms: number;
}

export class BunnyStreamDouble {
  readonly libraryId: string;
  readonly apiKey: string;
  readonly readOnlyApiKey: string;
  readonly requests: RecordedRequest[] = [];
  readonly webhooks: WebhookDelivery[] = [];
  readonly #timings: { transcodingAfterMs: number; finishedAfterMs: number };
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #webhookCalls = new Set<Promise<void>>();
  readonly #transcodeFailures: string[] = [];
  #webhookUrl: string | undefined;
  readonly #tus: BunnyTusEndpoint;
  readonly #library: BunnyLibrary;
  readonly #clock: () => number;
  readonly #latencyMs: number;
  readonly #server: Server;
  readonly #faults: Fault[] = [];
  readonly #delays: Delay[] = [];
  readonly #holds: PendingHold[] = [];
  readonly #stopping = new AbortController();
  #failUntil: { until: number; status: number } | undefined;
  #url: string | undefined;
  #tracked: TrackedResource | undefined;

  constructor(options: BunnyStreamDoubleOptions = {}) {
    const libraryId = options.libraryId ?? 4242;
    this.#clock = options.clock ?? Date.now;
    this.#latencyMs = options.latencyMs ?? 0;
    this.libraryId = String(libraryId);
    this.apiKey = options.apiKey ?? `test-${randomBytes(12).toString('hex')}`;
    this.readOnlyApiKey = options.readOnlyApiKey ?? `read-${randomBytes(12).toString('hex')}`;
    this.#webhookUrl = options.webhookUrl;
    this.#timings = {
      transcodingAfterMs: options.transcodingAfterMs ?? 20,
      finishedAfterMs: options.finishedAfterMs ?? 60,
    };
    this.#library = new BunnyLibrary({
      libraryId,
      storage: options.storage ?? 'memory',
      ...this.#timings,
      clock: this.#clock,
      ...(options.uploadBytesPerSecond === undefined
        ? {}
        : { uploadBytesPerSecond: options.uploadBytesPerSecond }),
      onUploaded: (videoId) => this.#transcode(videoId),
    });
    this.#tus = new BunnyTusEndpoint({
      library: this.#library,
      libraryId: this.libraryId,
      apiKey: this.apiKey,
      clock: this.#clock,
    });
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch(() => response.destroy());
    });
  }

  /** Base URL to use as BUNNY_STREAM_API_URL. */
  get url(): string {
    if (this.#url === undefined) throw new Error('BunnyStreamDouble: call start() before reading url');
    return this.#url;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${port}`;
    this.#tracked = trackResource('server', `bunny-stream-double ${this.#url}`, () => this.#close());
    return this;
  }

  /** Closes the server, open connections and pending delayed answers; safe to call twice. */
  async stop(): Promise<void> {
    if (this.#tracked) await this.#tracked.close();
    else await this.#close();
  }

  /** The next `count` matching requests answer `status` (default 503); with afterHandling they take effect first. */
  failNext(count: number, status = 503, options: RequestMatch & { afterHandling?: boolean } = {}): void {
    this.#faults.push({
      ...options,
      remaining: count,
      status,
      afterHandling: options.afterHandling ?? false,
    });
  }

  /**
   * The next `count` matching requests are not applied and answered HTTP 200 with a status body
   * `{"success": false, "message": message, "statusCode": 400}`, as Bunny sometimes refuses a mutation.
   */
  refuseNext(count: number, match: RequestMatch = {}, message = 'The request could not be processed.'): void {
    this.#faults.push({
      ...match,
      remaining: count,
      status: 200,
      afterHandling: false,
      unsuccessful: message,
    });
  }

  /** Every request in the next `ms` (by the double's clock) answers `status` (default 503), like an outage. */
  failFor(ms: number, status = 503): void {
    this.#failUntil = { until: this.#clock() + ms, status };
  }

  /** The next `count` matching requests are handled, then answered only after `ms`. */
  delayNext(count: number, ms: number, match: RequestMatch = {}): void {
    this.#delays.push({ ...match, remaining: count, ms });
  }

  /**
   * The next upload is accepted but its body is not read until `release()`, so the client's
   * sending stalls on a full connection; what the client read from disk meanwhile shows whether it streams.
   */
  holdNextUpload(): UploadHold {
    let arrive: (videoId: string) => void = () => undefined;
    let release: () => void = () => undefined;
    const arrived = new Promise<string>((resolve) => {
      arrive = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#holds.push({ arrive, released: Promise.race([released, abortion(this.#stopping.signal)]) });
    return { arrived, release };
  }

  /** The transcode timeline of uploads completed from now on (earlier ones keep theirs). */
  setTranscodeTimings(transcodingAfterMs: number, finishedAfterMs: number): void {
    this.#timings.transcodingAfterMs = transcodingAfterMs;
    this.#timings.finishedAfterMs = finishedAfterMs;
    this.#library.options.transcodingAfterMs = transcodingAfterMs;
    this.#library.options.finishedAfterMs = finishedAfterMs;
  }

  /** Where the following webhook calls go; undefined stops them (a library without a webhook). */
  setWebhookUrl(url: string | undefined): void {
    this.#webhookUrl = url;
  }

  /** The next `count` uploads transcode to status 5 (Error) with `message` instead of 4. */
  failNextTranscodes(
    count: number,
    message = 'Transcoding failed: the input stream could not be decoded.',
  ): void {
    for (let index = 0; index < count; index++) this.#transcodeFailures.push(message);
  }

  /** The signature Bunny puts in `X-BunnyStream-Signature` for a raw body (v1, hmac-sha256). */
  signWebhook(body: string): string {
    return createHmac('sha256', this.readOnlyApiKey).update(body, 'utf8').digest('hex');
  }

  /** Resolves once every webhook call under way has been answered. */
  async webhooksAnswered(): Promise<void> {
    while (this.#webhookCalls.size > 0) await Promise.all([...this.#webhookCalls]);
  }

  /** The next `count` tus PATCH requests lose their connection after `afterBytes` bytes each. */
  cutNextTusPatch(afterBytes: number, count = 1): void {
    this.#tus.cutNextPatch(afterBytes, count);
  }

  /** The resumable uploads the double saw. */
  tusUploads(): TusUploadState[] {
    return [...this.#tus.uploads.values()].map(({ parts: _parts, ...state }) => ({ ...state }));
  }

  /** Force a video's status, e.g. 5 (Error) to simulate a failed transcode. */
  setVideoStatus(videoId: string, status: number): void {
    const video = this.#library.videos.get(videoId);
    if (!video) throw new Error(`BunnyStreamDouble: no video ${videoId}`);
    video.forcedStatus = status;
  }

  upload(videoId: string): RecordedUpload | undefined {
    return this.#library.uploads.get(videoId);
  }

  /** Videos as GET would return them now. */
  videos(): Record<string, unknown>[] {
    return [...this.#library.videos.values()].map((video) => this.#library.videoModel(video));
  }

  collections(): Record<string, unknown>[] {
    return [...this.#library.collections.values()].map((c) => this.#library.collectionModel(c));
  }

  /** Recorded requests with this method whose path matches. */
  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && path.test(request.path));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://double');
    const method = request.method ?? 'GET';
    const prefix = `/library/${this.libraryId}`;
    const path = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : url.pathname;
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      authorized: false,
      receivedAt: Date.now(),
    };
    this.requests.push(record);
    if (this.#latencyMs > 0) await sleep(this.#latencyMs, this.#stopping.signal);
    if (url.pathname === TUS_PATH || url.pathname.startsWith(`${TUS_PATH}/`)) {
      record.authorized = true;
      record.status = await this.#tus.handle(request, response, url.pathname);
      return;
    }
    let reply: Reply;
    const outage =
      this.#failUntil && this.#clock() < this.#failUntil.until ? this.#failUntil.status : undefined;
    const fault = take(this.#faults, method, path);
    if (fault?.unsuccessful !== undefined) {
      record.fault = 'injected';
      reply = { status: 200, body: { success: false, message: fault.unsuccessful, statusCode: 400 } };
    } else if (outage !== undefined || (fault && !fault.afterHandling)) {
      record.fault = 'injected';
      reply = { status: outage ?? fault?.status ?? 503, body: 'Service Unavailable' };
    } else if (request.headers.accesskey !== this.apiKey || !url.pathname.startsWith(`${prefix}/`)) {
      // A key of another library, or none: Bunny answers 401 without a body.
      reply = { status: 401 };
    } else {
      record.authorized = true;
      try {
        reply = await this.#route(method, path, url.searchParams, request);
      } catch (error) {
        if (request.destroyed || response.destroyed) return; // the client went away mid-request
        // A defect in the double must surface in the test, not as a client timeout.
        reply = statusBody(500, `bunny double failed: ${(error as Error).message}`);
      }
      if (fault) {
        record.fault = 'after-handling';
        reply = statusBody(fault.status, 'Service Unavailable');
      }
    }
    await drain(request);
    const delay = take(this.#delays, method, path);
    if (delay) {
      record.delayedMs = delay.ms;
      await sleep(delay.ms, this.#stopping.signal);
      if (response.destroyed || this.#stopping.signal.aborted) return;
    }
    record.status = reply.status;
    send(response, reply);
  }

  #route(
    method: string,
    path: string,
    query: URLSearchParams,
    request: IncomingMessage,
  ): Promise<Reply> | Reply {
    const library = this.#library;
    const [, resource, id, extra] = path.split('/');
    if (extra !== undefined || (resource !== 'videos' && resource !== 'collections')) return { status: 404 };
    if (resource === 'videos') {
      if (id === undefined || id === '') {
        if (method === 'POST')
          return readJson(request).then((body) => body.reply ?? library.createVideo(body.value));
        if (method === 'GET') return library.listVideos(query);
      } else {
        if (method === 'PUT') return this.#upload(id, query, request);
        if (method === 'GET') return library.getVideo(id);
        if (method === 'DELETE') return library.deleteVideo(id);
      }
      return { status: 405 };
    }
    if (id === undefined || id === '') {
      if (method === 'POST')
        return readJson(request).then((body) => body.reply ?? library.createCollection(body.value));
      if (method === 'GET') return library.listCollections(query);
    } else {
      if (method === 'GET') return library.getCollection(id);
      if (method === 'DELETE') return library.deleteCollection(id);
    }
    return { status: 405 };
  }

  async #upload(videoId: string, query: URLSearchParams, request: IncomingMessage): Promise<Reply> {
    const hold = this.#holds.shift();
    if (hold) {
      hold.arrive(videoId);
      await hold.released;
    }
    return this.#library.upload(videoId, request, query.get('enabledResolutions') ?? undefined);
  }

  /** Schedules the transcode's webhook calls after an upload; returns the planned failure, if any. */
  #transcode(videoId: string): string | undefined {
    const failure = this.#transcodeFailures.shift();
    const { transcodingAfterMs, finishedAfterMs } = this.#timings;
    this.#webhook(videoId, WEBHOOK_STATUS.queued, 0);
    this.#webhook(videoId, WEBHOOK_STATUS.encoding, transcodingAfterMs);
    if (failure === undefined) {
      this.#webhook(videoId, WEBHOOK_STATUS.resolutionFinished, finishedAfterMs);
      this.#webhook(videoId, WEBHOOK_STATUS.finished, finishedAfterMs);
    } else {
      this.#webhook(videoId, WEBHOOK_STATUS.failed, finishedAfterMs);
    }
    return failure;
  }

  #webhook(videoId: string, status: number, afterMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const url = this.#webhookUrl;
      // A video deleted meanwhile is no longer reported, as Bunny stops processing it.
      if (url === undefined || !this.#library.videos.has(videoId) || this.#stopping.signal.aborted) return;
      const call = this.#sendWebhook(url, videoId, status).finally(() => this.#webhookCalls.delete(call));
      this.#webhookCalls.add(call);
    }, afterMs);
    this.#timers.add(timer);
  }

  async #sendWebhook(url: string, videoId: string, status: number): Promise<void> {
    const body = JSON.stringify({
      VideoLibraryId: Number(this.libraryId),
      VideoGuid: videoId,
      Status: status,
    });
    const signature = this.signWebhook(body);
    const delivery: WebhookDelivery = { videoId, status, body, signature, answer: 0, sentAt: Date.now() };
    this.webhooks.push(delivery);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-BunnyStream-Signature-Version': 'v1',
          'X-BunnyStream-Signature-Algorithm': 'hmac-sha256',
          'X-BunnyStream-Signature': signature,
        },
        body,
        signal: AbortSignal.any([this.#stopping.signal, AbortSignal.timeout(10_000)]),
      });
      delivery.answer = response.status;
      await response.arrayBuffer();
    } catch {
      // Receiver down: Bunny would retry later; the double records the miss and moves on.
    }
  }

  async #close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#stopping.abort();
    await Promise.allSettled([...this.#webhookCalls]);
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}

function take<T extends RequestMatch & { remaining: number }>(
  list: T[],
  method: string,
  path: string,
): T | undefined {
  const index = list.findIndex(
    (entry) => (!entry.method || entry.method === method) && (!entry.path || entry.path.test(path)),
  );
  const entry = list[index];
  if (!entry) return undefined;
  entry.remaining--;
  if (entry.remaining <= 0) list.splice(index, 1);
  return entry;
}

async function readJson(request: IncomingMessage): Promise<{ value?: unknown; reply?: Reply }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { value: text === '' ? undefined : JSON.parse(text) };
  } catch {
    return { reply: statusBody(400, 'The request body is not valid JSON.') };
  }
}

/** Read what the client still sends, so an early answer does not break its upload. */
async function drain(request: IncomingMessage): Promise<void> {
  if (request.readableEnded || request.destroyed) return;
  try {
    for await (const _ of request) {
      // discard
    }
  } catch {
    // client gone: the answer will not be delivered anyway
  }
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.destroyed) return;
  if (reply.body === undefined) {
    response.writeHead(reply.status).end();
  } else if (typeof reply.body === 'string') {
    response.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body);
  } else {
    response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
  }
}

function abortion(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
