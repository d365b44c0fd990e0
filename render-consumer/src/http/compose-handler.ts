import type { IncomingMessage } from 'node:http';
import { ManifestInvalidError, PipelineError, RecipeInvalidError } from '@exercise-pipeline/shared';
import type { RenderStatus } from '../catalog/renders.js';
import type { EnsuredRender, EnsureRender } from '../render/ensure-render.js';
import { ExerciseNotComposableError, ExerciseNotFoundError } from '../render/errors.js';
import { ComposeBusyError, type ComposeGate } from '../service/compose-gate.js';
import { requireBearer } from './bearer-auth.js';
import { HttpError } from './http-error.js';
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from './json-body.js';
import { sendJson } from './respond.js';
import type { Handler } from './router.js';

export interface ComposeHandlerOptions {
  ensureRender: Pick<EnsureRender, 'ensure'>;
  /** COMPOSER_API_TOKEN; when set, requests need `Authorization: Bearer <token>`. */
  apiToken?: string | undefined;
  /** Default 64 KiB. */
  maxBodyBytes?: number;
  /** Bounds the renders requests start (COMPOSE_MAX_CONCURRENT, COMPOSE_QUEUE_SIZE); default unbounded. */
  gate?: Pick<ComposeGate, 'refusingWhenFull'>;
  /** Signs the playback URL handed out (BUNNY_STREAM_TOKEN_KEY); default unchanged. */
  signPlayback?: (url: string) => string;
  /** Told about answers the server could not explain to the client (unexpected errors). */
  logger?: { error(details: object, message: string): void };
}

/** The answer to a successful `POST /v1/compose`, as the platform documents it. */
export interface ComposeAnswer {
  bunny_video_id: string;
  playback_hls_url: string;
  duration_seconds: number;
  recipe_hash: string;
  asset_version: number;
  cached: boolean;
  /**
   * True when an identical request was already being answered and this one shared its render
   * instead of starting another.
   */
  joined: boolean;
  /** The render's status: `ready` (playable), or `encoding` while Bunny still transcodes it. */
  status: RenderStatus;
}

/** How long a client should wait before repeating a request that hit a busy or lost render. */
const RETRY_AFTER_SECONDS = '5';

/**
 * `POST /v1/compose`: the recipe `{exercise, language, sets, seed}` in, a published render out.
 * The render is found or made by EnsureRender; this handler only speaks HTTP.
 */
export function createComposeHandler(options: ComposeHandlerOptions): Handler {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // Identical bodies in flight share one answer: a burst of the same request costs one render and
  // one place in the wait queue. (EnsureRender also shares renders of equivalent recipes.)
  const inFlight = new Map<string, Promise<EnsuredRender>>();
  const ensure = (body: unknown): Promise<EnsuredRender> => {
    const run = () => options.ensureRender.ensure({ recipeInput: body });
    return options.gate ? options.gate.refusingWhenFull(run) : run();
  };
  return async ({ req, res }) => {
    requireBearer(req, options.apiToken);
    const body = await readJsonBody(req, maxBodyBytes);
    const key = canonicalJson(body);
    let pending = inFlight.get(key);
    const joined = pending !== undefined;
    if (pending === undefined) {
      pending = ensure(body).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    let ensured: EnsuredRender;
    try {
      ensured = await pending;
    } catch (error) {
      throw toHttpError(error, options.logger);
    }
    sendJson(res, 200, composeAnswer(ensured, req, joined, options.signPlayback));
  };
}

/** JSON with object keys sorted, so bodies that differ only in key order are the same request. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

export function composeAnswer(
  ensured: EnsuredRender,
  req?: IncomingMessage,
  joined = false,
  signPlayback: (url: string) => string = (url) => url,
): ComposeAnswer {
  const row = ensured.render;
  return {
    bunny_video_id: row.bunny_video_id ?? '',
    playback_hls_url: signPlayback(absoluteUrl(row.playback_url ?? '', req)),
    duration_seconds: row.duration_seconds ?? 0,
    recipe_hash: ensured.recipeHash,
    asset_version: row.asset_version,
    cached: ensured.cached && !joined,
    joined,
    status: row.status,
  };
}

/**
 * The local publisher stores server-relative playlist paths (`/media/{id}/playlist.m3u8`); the
 * client gets them against the host it called, so the URL plays as it is. Bunny URLs are absolute.
 */
function absoluteUrl(url: string, req: IncomingMessage | undefined): string {
  const host = req?.headers.host;
  if (!url.startsWith('/') || host === undefined || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) return url;
  return `http://${host}${url}`;
}

/** Maps EnsureRender's errors to answers; every PipelineError keeps its code and message. */
export function toHttpError(error: unknown, logger?: ComposeHandlerOptions['logger']): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ComposeBusyError) {
    return new HttpError(503, error.code, error.message, {
      headers: { 'retry-after': String(error.retryAfterSeconds) },
    });
  }
  if (error instanceof RecipeInvalidError) {
    return new HttpError(400, error.code, error.message, { reasons: error.reasons });
  }
  if (error instanceof ExerciseNotFoundError) return new HttpError(404, error.code, error.message);
  if (error instanceof ExerciseNotComposableError) return new HttpError(409, error.code, error.message);
  if (error instanceof ManifestInvalidError) {
    // The exercise's own bundle is broken: not the client's fault, and the fix is a new delivery.
    return new HttpError(500, error.code, error.message, { reasons: error.issues });
  }
  if (error instanceof PipelineError) {
    return error.retryable
      ? new HttpError(503, error.code, error.message, { headers: { 'retry-after': RETRY_AFTER_SECONDS } })
      : new HttpError(500, error.code, error.message);
  }
  logger?.error({ err: error }, 'compose request failed unexpectedly');
  return new HttpError(
    500,
    'INTERNAL_ERROR',
    "the render failed unexpectedly; the consumer's log has the details",
  );
}
