import { PipelineError } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { backoffDelay, withRetry } from './retry.js';
import { isRetryableError } from './transient-errors.js';

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('isRetryableError', () => {
  it.each([
    ['ECONNREFUSED', networkError('ECONNREFUSED')],
    ['ECONNRESET', networkError('ECONNRESET')],
    ['ETIMEDOUT', networkError('ETIMEDOUT')],
    ['EPIPE', networkError('EPIPE')],
    ['a 503', awsError('ServiceUnavailable', 503)],
    ['an unnamed 500', awsError('UnknownError', 500)],
    ['SlowDown', awsError('SlowDown', 503)],
    ['RequestTimeout', awsError('RequestTimeout', 400)],
    ['throttling', awsError('ThrottlingException', 400)],
    ['a 429', awsError('TooManyRequests', 429)],
    ['a wrapped network error', new Error('upload failed', { cause: networkError('ECONNRESET') })],
    ['an AggregateError of refusals', new AggregateError([networkError('ECONNREFUSED')], 'connect failed')],
    ['a retryable PipelineError', new PipelineError('event lost', { code: 'X', retryable: true })],
  ])('retries %s', (_label, error) => {
    expect(isRetryableError(error)).toBe(true);
  });

  it.each([
    ['NoSuchBucket', awsError('NoSuchBucket', 404)],
    ['AccessDenied', awsError('AccessDenied', 403)],
    ['a plain error', new Error('bad input')],
    [
      'an abort',
      Object.assign(new Error('aborted'), { name: 'AbortError', cause: networkError('ECONNRESET') }),
    ],
    ['a non-retryable PipelineError', new PipelineError('mismatch', { code: 'X' })],
    ['a string', 'ECONNREFUSED'],
  ])('does not retry %s', (_label, error) => {
    expect(isRetryableError(error)).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, scaled by the random draw', () => {
    const top = () => 0.999_999;
    const steps = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, steps, top)).toBe(99);
    expect(backoffDelay(3, steps, top)).toBe(399);
    expect(backoffDelay(10, steps, top)).toBe(999);
    expect(backoffDelay(500, steps, top)).toBe(999);
    expect(backoffDelay(4, steps, () => 0)).toBe(0);
  });

  it('with equal jitter keeps half of each step fixed, so waits really grow', () => {
    const steps = { baseDelayMs: 100, maxDelayMs: 1_000, jitter: 'equal' as const };
    expect([1, 2, 3].map((attempt) => backoffDelay(attempt, steps, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((attempt) => backoffDelay(attempt, steps, () => 0.999999))).toEqual([100, 200, 400]);
    expect(backoffDelay(30, steps, () => 0.999999)).toBe(1_000);
  });
});

describe('withRetry', () => {
  it('returns the first success after transient failures', async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw networkError('ECONNREFUSED');
        return 'done';
      },
      { baseDelayMs: 1, maxDelayMs: 2, onRetry: ({ delayMs }) => delays.push(delayMs) },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(delays).toHaveLength(2);
  });

  it('rethrows a non-retryable error at once', async () => {
    let calls = 0;
    const failure = awsError('AccessDenied', 403);
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw failure;
        },
        { baseDelayMs: 1 },
      ),
    ).rejects.toBe(failure);
    expect(calls).toBe(1);
  });

  it('gives up after the given attempts with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw networkError(`ECONNRESET`);
        },
        { attempts: 4, baseDelayMs: 1, maxDelayMs: 1 },
      ),
    ).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(calls).toBe(4);
  });

  it('keeps waiting without an attempt limit until the operation recovers', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 25) throw networkError('ECONNREFUSED');
        return calls;
      },
      { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 1, maxDelayMs: 2 },
    );
    expect(result).toBe(25);
  });

  it('stops waiting when the signal aborts, with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const pending = withRetry(
      async () => {
        throw networkError('ECONNREFUSED');
      },
      {
        attempts: Number.POSITIVE_INFINITY,
        baseDelayMs: 60_000,
        maxDelayMs: 60_000,
        random: () => 0.5,
        signal: controller.signal,
      },
    );
    setTimeout(() => controller.abort(reason), 20);
    const started = Date.now();
    await expect(pending).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
