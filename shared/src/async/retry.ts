import { abortReason, sleep } from './sleep.js';
import { isRetryableError } from './transient-errors.js';

/**
 * How long to wait between attempts: exponential steps from `baseDelayMs`, never above
 * `maxDelayMs`, with jitter so processes that failed together do not retry together.
 */
export interface Backoff {
  /** Upper bound of the first wait; doubles per failed attempt. */
  baseDelayMs: number;
  /** No single wait exceeds this, so a long outage is polled at this pace. */
  maxDelayMs: number;
  /**
   * `full` (default): a uniform wait in [0, step). `equal`: half the step fixed, half random, so
   * waits really grow (used where a server's patience matters more than spreading callers out).
   */
  jitter?: 'full' | 'equal';
}

export interface RetryOptions extends Partial<Backoff> {
  /** Total tries including the first; `Infinity` waits as long as the failure stays transient. Default 5. */
  attempts?: number;
  /** Stops waiting and rethrows the abort reason. */
  signal?: AbortSignal | undefined;
  /** Default {@link isRetryableError}. */
  isRetryable?: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log that the endpoint is down. */
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
  /** Source of randomness in [0, 1); default Math.random (injectable for tests). */
  random?: () => number;
}

/** Defaults of {@link withRetry}: 200 ms doubling up to 20 s. */
export const DEFAULT_BACKOFF: Required<Backoff> = { baseDelayMs: 200, maxDelayMs: 20_000, jitter: 'full' };

/** The wait after failed attempt `attempt` (1-based). */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 30);
  const step = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** exponent);
  if (backoff.jitter === 'equal') return Math.round(step / 2 + random() * (step / 2));
  return Math.floor(random() * step);
}

/**
 * Runs `fn` until it succeeds, fails with a non-retryable error, runs out of attempts or the
 * signal aborts. The last error is rethrown unchanged so callers keep its code and context.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  const backoff: Backoff = {
    baseDelayMs: options.baseDelayMs ?? DEFAULT_BACKOFF.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
    jitter: options.jitter ?? DEFAULT_BACKOFF.jitter,
  };
  const isRetryable = options.isRetryable ?? isRetryableError;
  const random = options.random ?? Math.random;
  if (!(attempts >= 1)) throw new RangeError(`withRetry: attempts must be at least 1, got ${attempts}`);
  for (let attempt = 1; ; attempt += 1) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      if (attempt >= attempts || !isRetryable(error)) throw error;
      const delayMs = backoffDelay(attempt, backoff, random);
      options.onRetry?.({ error, attempt, delayMs });
      await sleep(delayMs, options.signal);
    }
  }
}
