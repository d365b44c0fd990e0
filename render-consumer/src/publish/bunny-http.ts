import { setTimeout as sleepFor } from 'node:timers/promises';
import { BunnyApiError } from './errors.js';
import type { PublishLogger } from './publisher.js';
import { isRetryableStatus, type RetryPolicy, retryDelayMs } from './retry-policy.js';

export interface BunnyHttpOptions {
  /** e.g. `https://video.bunnycdn.com`; a trailing slash is fine. */
  apiUrl: string;
  libraryId: string;
  apiKey: string;
  timeoutMs: number;
  retry: RetryPolicy;
  fetch: typeof fetch;
  logger?: PublishLogger | undefined;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/** A raw request body; created afresh for every attempt because a stream can be sent only once. */
export interface BunnyBody {
  stream: ReadableStream<Uint8Array>;
  length: number;
  contentType: string;
  /** Release the source (close the file) whether or not the attempt consumed it. */
  dispose(): void;
}

export interface BunnyRequest {
  /** Client operation name for errors and logs, e.g. `uploadVideo`. */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below `/library/{libraryId}`, segments already encoded. */
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  body?: () => Promise<BunnyBody>;
  /** Overrides the client's per-attempt timeout (uploads need longer). */
  timeoutMs?: number;
  /** Non-2xx statuses that are answers, not failures (404 for a lookup or a delete). */
  expectedStatuses?: readonly number[];
  /**
   * Called when an attempt after the first fails with a non-retryable status: an earlier attempt may
   * have succeeded on Bunny's side although its answer was lost. `done` treats the request as
   * succeeded, `retry` tries again (within the attempt budget), `fail` reports the status.
   */
  afterRetryRefused?: (status: number) => Promise<'done' | 'retry' | 'fail'>;
  /**
   * For a request Bunny does not apply idempotently (a create): called before repeating it after an
   * attempt whose answer was lost (timeout, broken connection, 5xx), because Bunny may have applied
   * that attempt anyway. What it finds becomes the answer; `undefined` lets the request be repeated.
   */
  findApplied?: () => Promise<unknown>;
  /** Cancels the request: the attempt under way stops, no other is made, and it rejects with the reason. */
  signal?: AbortSignal | undefined;
}

export interface BunnyResponse {
  status: number;
  /** Parsed JSON body, or undefined when the answer had none. */
  body: unknown;
}

export const defaultSleep = (ms: number): Promise<void> => sleepFor(ms).then(() => undefined);

/** One request to the Stream API with bounded retries of throttling, 5xx, timeouts and network errors. */
export async function sendBunnyRequest(
  options: BunnyHttpOptions,
  request: BunnyRequest,
): Promise<BunnyResponse> {
  const url = buildUrl(options, request);
  const timeoutMs = request.timeoutMs ?? options.timeoutMs;
  const where = `${request.method} /library/${options.libraryId}${request.path}`;
  let answerLost = false;
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= options.retry.attempts;
    if (answerLost && request.findApplied) {
      const applied = await request.findApplied();
      if (applied !== undefined) {
        options.logger?.info(
          { operation: request.operation, attempt },
          'bunny had applied a request whose answer was lost; using that instead of repeating it',
        );
        return { status: 200, body: applied };
      }
    }
    answerLost = false;
    let outcome: AttemptOutcome;
    try {
      outcome = await attemptOnce(options, request, url, timeoutMs);
    } catch (error) {
      // Cancelled by the caller (shutdown): not a transport failure, and not worth another attempt.
      if (request.signal?.aborted) throw request.signal.reason;
      const reason = describeTransportError(error, timeoutMs);
      answerLost = mayHaveArrived(error);
      if (last) {
        throw new BunnyApiError(
          redact(
            `Bunny Stream ${request.operation} (${where}) failed: ${reason}; gave up after ${attempt} attempt(s) — check that ${options.apiUrl} is reachable (BUNNY_STREAM_API_URL) and retry later`,
            options.apiKey,
          ),
          { operation: request.operation, retryable: true, cause: error },
        );
      }
      await pause(options, request, attempt, reason, null);
      continue;
    }
    const { response } = outcome;
    // Bunny can refuse a mutation with HTTP 200 and `"success": false` in its status body: that
    // is a failure like any other refusal, never a success to build on.
    if (response.status < 300 && isUnsuccessfulBody(response.body)) {
      throw unsuccessfulError(options, request, where, response);
    }
    if (response.status < 300 || request.expectedStatuses?.includes(response.status)) return response;
    if (isRetryableStatus(response.status) && !last) {
      // 429 is a refusal before any work; a 5xx may come from a proxy after Bunny did the work.
      answerLost = response.status >= 500;
      await pause(options, request, attempt, `status ${response.status}`, outcome.retryAfter);
      continue;
    }
    const verdict =
      attempt > 1 && request.afterRetryRefused ? await request.afterRetryRefused(response.status) : 'fail';
    if (verdict === 'done') {
      options.logger?.info(
        { operation: request.operation, status: response.status, attempt },
        'bunny request had already succeeded on an earlier attempt',
      );
      return { status: 200, body: undefined };
    }
    if (verdict === 'retry' && !last) {
      await pause(
        options,
        request,
        attempt,
        `status ${response.status} while an earlier attempt finishes`,
        null,
      );
      continue;
    }
    throw statusError(options, request, where, response, attempt);
  }
}

interface AttemptOutcome {
  response: BunnyResponse;
  retryAfter: string | null;
}

async function attemptOnce(
  options: BunnyHttpOptions,
  request: BunnyRequest,
  url: URL,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  const headers: Record<string, string> = { AccessKey: options.apiKey, Accept: 'application/json' };
  const body = request.body ? await request.body() : undefined;
  try {
    const init: RequestInit & { duplex?: 'half' } = {
      method: request.method,
      headers,
      signal: request.signal
        ? AbortSignal.any([AbortSignal.timeout(timeoutMs), request.signal])
        : AbortSignal.timeout(timeoutMs),
      // Following a redirect would send the AccessKey header to whatever host it names.
      redirect: 'manual',
    };
    if (body) {
      headers['Content-Type'] = body.contentType;
      headers['Content-Length'] = String(body.length);
      init.body = body.stream;
      // Required by fetch for a streamed request body; the file is never held in memory.
      init.duplex = 'half';
    } else if (request.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(request.json);
    }
    const response = await options.fetch(url, init);
    // Reading the body stays under the same timeout signal, so a stalled answer is caught too.
    const text = await response.text();
    return {
      response: { status: response.status, body: parseJson(text) },
      retryAfter: response.headers.get('retry-after'),
    };
  } finally {
    body?.dispose();
  }
}

async function pause(
  options: BunnyHttpOptions,
  request: BunnyRequest,
  attempt: number,
  reason: string,
  retryAfter: string | null,
): Promise<void> {
  const delayMs = retryDelayMs(attempt, options.retry, options.random, retryAfter);
  options.logger?.warn(
    { operation: request.operation, attempt, maxAttempts: options.retry.attempts, reason, delayMs },
    'bunny request failed, retrying',
  );
  await options.sleep(delayMs);
}

function buildUrl(options: BunnyHttpOptions, request: BunnyRequest): URL {
  const base = options.apiUrl.replace(/\/+$/, '');
  const url = new URL(`${base}/library/${encodeURIComponent(options.libraryId)}${request.path}`);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  }
  return url;
}

function statusError(
  options: BunnyHttpOptions,
  request: BunnyRequest,
  where: string,
  response: BunnyResponse,
  attempt: number,
): BunnyApiError {
  const bunnyMessage = messageOf(response.body);
  const detail = bunnyMessage ? `: ${bunnyMessage}` : '';
  const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
  const message = `Bunny Stream ${request.operation} (${where}) answered ${response.status}${detail}${tries} — ${fixFor(response.status)}`;
  return new BunnyApiError(redact(message, options.apiKey), {
    operation: request.operation,
    status: response.status,
    retryable: isRetryableStatus(response.status),
  });
}

/** A status body (`{success, message, statusCode}`) that says the request was not applied. */
function isUnsuccessfulBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { success?: unknown }).success === false;
}

function unsuccessfulError(
  options: BunnyHttpOptions,
  request: BunnyRequest,
  where: string,
  response: BunnyResponse,
): BunnyApiError {
  const bunnyMessage = messageOf(response.body) ?? 'no message';
  const code = (response.body as { statusCode?: unknown }).statusCode;
  const detail = typeof code === 'number' ? ` (statusCode ${code})` : '';
  const message = `Bunny Stream ${request.operation} (${where}) answered ${response.status} with "success": false${detail}: ${bunnyMessage} — Bunny did not apply the request; see its message`;
  return new BunnyApiError(redact(message, options.apiKey), {
    operation: request.operation,
    status: response.status,
    retryable: false,
  });
}

function fixFor(status: number): string {
  if (status >= 300 && status < 400) {
    return 'the API redirected elsewhere and the key is not sent on; check BUNNY_STREAM_API_URL';
  }
  if (status === 401) {
    return 'check that BUNNY_STREAM_API_KEY is the Stream API key of library BUNNY_STREAM_LIBRARY_ID (the account key does not work)';
  }
  if (status === 403) return 'the API key may not write to this library; use the library Stream API key';
  if (status === 404)
    return 'the library, video or collection does not exist (check BUNNY_STREAM_LIBRARY_ID and the id)';
  if (isRetryableStatus(status)) return 'Bunny is throttling or failing; retry later';
  return 'the request was refused as invalid; see the message';
}

/** Whether a failed attempt may have reached Bunny: only a refused connection surely did not. */
function mayHaveArrived(error: unknown): boolean {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return cause?.code !== 'ECONNREFUSED';
}

function describeTransportError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return `network error ${cause.code}`;
  if (typeof cause?.message === 'string') return `network error: ${cause.message}`;
  return `network error: ${error instanceof Error ? error.message : String(error)}`;
}

function messageOf(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null && 'message' in body) {
    const message = (body as { message: unknown }).message;
    if (typeof message === 'string' && message.trim() !== '') return truncate(message.trim(), 300);
  }
  if (typeof body === 'string' && body.trim() !== '') return truncate(body.trim(), 300);
  return undefined;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Proxies answer 502/503 with HTML; keep a short text so the error still says something.
    return truncate(text, 300);
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** Defence in depth: nothing we build contains the key, but a server could echo it back. */
export function redact(text: string, secret: string): string {
  return secret.length >= 4 ? text.split(secret).join('[redacted]') : text;
}
