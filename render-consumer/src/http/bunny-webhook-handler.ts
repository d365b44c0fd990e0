import type { IncomingMessage } from 'node:http';
import type { Queryable } from '../catalog/database.js';
import { findEncodingRender } from '../catalog/transcodes.js';
import type { PublishedStatus } from '../publish/publisher.js';
import type { TranscodeOutcome, TranscodeWatcher } from '../transcode/transcode-watcher.js';
import {
  SIGNATURE_ALGORITHM_HEADER,
  SIGNATURE_HEADER,
  SIGNATURE_VERSION_HEADER,
  verifyWebhookSignature,
  webhookOutcome,
} from '../transcode/webhook-signature.js';
import { HttpError } from './http-error.js';
import { readRawBody } from './json-body.js';
import { sendJson } from './respond.js';
import type { Handler } from './router.js';

export interface BunnyWebhookHandlerOptions {
  db: Queryable;
  watcher: Pick<TranscodeWatcher, 'applyReport'>;
  /** Asks Bunny about a video (its failure message after a webhook "failed"). */
  videoStatus: (videoId: string) => Promise<PublishedStatus>;
  /** BUNNY_STREAM_READ_ONLY_API_KEY: the key Bunny signs webhook calls with; unset → every call is refused. */
  readOnlyApiKey: string | undefined;
  /** BUNNY_STREAM_LIBRARY_ID: calls about another library are ignored. */
  libraryId: string | undefined;
  logger?: { warn(fields: object, message: string): void };
}

/** Webhook bodies are a few dozen bytes. */
const MAX_WEBHOOK_BYTES = 16 * 1024;

/** What the receiver did with one call; Bunny only looks at the status code. */
export interface WebhookAnswer {
  outcome: TranscodeOutcome | 'unknown-video' | 'other-library';
  render_id?: number;
}

/**
 * `POST /v1/bunny/webhook`: Bunny's signed encoding notifications. A call without a valid signature
 * changes nothing and answers 401; a known encoding video's "finished" (3, 4) or "failed" (5) is
 * applied through the transcode watcher; anything else (another library, a video no encoding render
 * has, a repeat, an intermediate status) answers 200 and is ignored, so Bunny does not retry it.
 */
export function createBunnyWebhookHandler(options: BunnyWebhookHandlerOptions): Handler {
  return async ({ req, res }) => {
    const rawBody = await readRawBody(req, MAX_WEBHOOK_BYTES);
    if (options.readOnlyApiKey === undefined) {
      throw new HttpError(
        401,
        'WEBHOOK_NOT_CONFIGURED',
        'webhook calls cannot be verified: set BUNNY_STREAM_READ_ONLY_API_KEY to the library’s read-only API key',
      );
    }
    const verdict = verifyWebhookSignature(rawBody, signatureHeaders(req), options.readOnlyApiKey);
    if (!verdict.ok) {
      options.logger?.warn(
        { reason: verdict.reason },
        'refused a Bunny webhook call without a valid signature',
      );
      throw new HttpError(
        401,
        'WEBHOOK_SIGNATURE_INVALID',
        `X-BunnyStream-Signature is ${verdict.reason === 'mismatch' ? 'wrong' : verdict.reason}: expected the lowercase hex HMAC-SHA256 (v1) of the body keyed with the library's read-only API key`,
      );
    }
    const call = parseCall(rawBody);
    if (options.libraryId !== undefined && String(call.VideoLibraryId) !== options.libraryId) {
      return sendJson(res, 200, { outcome: 'other-library' } satisfies WebhookAnswer);
    }
    const render = await findEncodingRender(options.db, call.VideoGuid);
    if (!render) return sendJson(res, 200, { outcome: 'unknown-video' } satisfies WebhookAnswer);
    const decided = webhookOutcome(call.Status);
    let outcome: TranscodeOutcome = 'processing';
    if (decided === 'ready') {
      outcome = await options.watcher.applyReport(render, { state: 'ready' });
    } else if (decided === 'failed') {
      outcome = await options.watcher.applyReport(render, await failureReport(options, call));
    }
    sendJson(res, 200, { outcome, render_id: render.id } satisfies WebhookAnswer);
  };
}

function signatureHeaders(req: IncomingMessage) {
  const one = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    signature: one(SIGNATURE_HEADER),
    version: one(SIGNATURE_VERSION_HEADER),
    algorithm: one(SIGNATURE_ALGORITHM_HEADER),
  };
}

interface WebhookCall {
  VideoLibraryId: number | string;
  VideoGuid: string;
  Status: number;
}

function parseCall(rawBody: Buffer): WebhookCall {
  let value: unknown;
  try {
    value = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new HttpError(
      400,
      'WEBHOOK_INVALID',
      'webhook body is not JSON; expected {VideoLibraryId, VideoGuid, Status}',
    );
  }
  const call = value as Partial<WebhookCall> | null;
  if (
    typeof call !== 'object' ||
    call === null ||
    typeof call.VideoGuid !== 'string' ||
    call.VideoGuid === '' ||
    typeof call.Status !== 'number' ||
    (typeof call.VideoLibraryId !== 'number' && typeof call.VideoLibraryId !== 'string')
  ) {
    throw new HttpError(
      400,
      'WEBHOOK_INVALID',
      'webhook body lacks VideoLibraryId, VideoGuid (string) or Status (number)',
    );
  }
  return call as WebhookCall;
}

/** Bunny's own message for a failed video, read from the API; the webhook itself carries none. */
async function failureReport(
  options: BunnyWebhookHandlerOptions,
  call: WebhookCall,
): Promise<PublishedStatus> {
  const fallback = `Bunny Stream reported the transcode failed (webhook status ${call.Status})`;
  try {
    const status = await options.videoStatus(call.VideoGuid);
    return {
      state: 'failed',
      message: status.state === 'failed' && status.message ? status.message : fallback,
    };
  } catch {
    return { state: 'failed', message: fallback };
  }
}
