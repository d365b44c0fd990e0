/**
 * When and how long to wait before repeating a Bunny request. Pure: the client owns the clock
 * and the randomness and passes them in, so these decisions are tested without waiting.
 */
import { type Backoff, backoffDelay } from '@exercise-pipeline/shared';

export interface RetryPolicy extends Omit<Backoff, 'jitter'> {
  /** Total attempts including the first; 1 disables retries. Default 5. */
  attempts: number;
  // baseDelayMs (default 500 ms) and maxDelayMs (default 15 s, whatever the attempt number or
  // Retry-After says) as in every retry of both programs.
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 15_000 };

/**
 * Statuses worth repeating: throttling and server-side failures. Every other 4xx means the
 * request itself is wrong (bad key, unknown id, invalid body) and would fail again.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * Wait before the attempt after `failedAttempt` (1-based): "equal jitter" — half the exponential
 * step is fixed so waits really grow, the other half is random so competing consumers that
 * failed together do not retry together.
 */
export function backoffDelayMs(failedAttempt: number, policy: RetryPolicy, random: () => number): number {
  return backoffDelay(failedAttempt, { ...policy, jitter: 'equal' }, random);
}

/**
 * Honour a server's `Retry-After` (seconds or an HTTP date) when it asks for longer than our own
 * backoff, capped at `maxDelayMs` so a misconfigured proxy cannot stall a render for hours.
 */
export function retryDelayMs(
  failedAttempt: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfter: string | null = null,
  now: number = Date.now(),
): number {
  const backoff = backoffDelayMs(failedAttempt, policy, random);
  const asked = parseRetryAfterMs(retryAfter, now);
  return Math.min(policy.maxDelayMs, Math.max(backoff, asked ?? 0));
}

export function parseRetryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Merge partial options onto the defaults, refusing values that would loop forever or never try. */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...partial };
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) {
    throw new RangeError(`retry.attempts must be an integer >= 1, got ${policy.attempts}`);
  }
  if (!(policy.baseDelayMs >= 0) || !(policy.maxDelayMs >= policy.baseDelayMs)) {
    throw new RangeError(
      `retry delays must satisfy 0 <= baseDelayMs <= maxDelayMs, got ${policy.baseDelayMs} and ${policy.maxDelayMs}`,
    );
  }
  return policy;
}
