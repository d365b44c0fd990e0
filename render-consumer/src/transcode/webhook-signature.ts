import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Bunny Stream's signed webhooks (v1): `X-BunnyStream-Signature` is the lowercase hex HMAC-SHA256 of
 * the raw request body, keyed with the library's read-only API key.
 */

export const SIGNATURE_HEADER = 'x-bunnystream-signature';
export const SIGNATURE_VERSION_HEADER = 'x-bunnystream-signature-version';
export const SIGNATURE_ALGORITHM_HEADER = 'x-bunnystream-signature-algorithm';

export function signWebhookBody(rawBody: Buffer | string, key: string): string {
  return createHmac('sha256', key).update(rawBody).digest('hex');
}

export type SignatureVerdict =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'malformed' | 'unsupported' | 'mismatch' };

/**
 * Whether `headers` carry a valid v1 signature of `rawBody`. Compared in constant time; version and
 * algorithm headers, when present, must say v1 and hmac-sha256.
 */
export function verifyWebhookSignature(
  rawBody: Buffer,
  headers: { signature?: string | undefined; version?: string | undefined; algorithm?: string | undefined },
  key: string,
): SignatureVerdict {
  if (headers.signature === undefined || headers.signature === '') return { ok: false, reason: 'missing' };
  if (headers.version !== undefined && headers.version.toLowerCase() !== 'v1') {
    return { ok: false, reason: 'unsupported' };
  }
  if (headers.algorithm !== undefined && headers.algorithm.toLowerCase() !== 'hmac-sha256') {
    return { ok: false, reason: 'unsupported' };
  }
  if (!/^[0-9a-f]{64}$/.test(headers.signature)) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(signWebhookBody(rawBody, key), 'hex');
  const given = Buffer.from(headers.signature, 'hex');
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** Webhook status numbers (a different list from the API's video status). */
export const WEBHOOK_STATUS = {
  queued: 0,
  processing: 1,
  encoding: 2,
  finished: 3,
  resolutionFinished: 4,
  failed: 5,
} as const;

/** What a webhook status means for a render: playable, failed, or nothing decided yet. */
export function webhookOutcome(status: number): 'ready' | 'failed' | 'pending' {
  if (status === WEBHOOK_STATUS.finished || status === WEBHOOK_STATUS.resolutionFinished) return 'ready';
  if (status === WEBHOOK_STATUS.failed) return 'failed';
  return 'pending';
}
