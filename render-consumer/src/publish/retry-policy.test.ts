import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  isRetryableStatus,
  parseRetryAfterMs,
  resolveRetryPolicy,
  retryDelayMs,
} from './retry-policy.js';

const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('isRetryableStatus', () => {
  it('retries throttling and server errors only', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 422].some(isRetryableStatus)).toBe(false);
  });
});

describe('backoffDelayMs', () => {
  it('doubles per attempt, with jitter between half and the whole step', () => {
    expect([1, 2, 3].map((attempt) => backoffDelayMs(attempt, policy, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((attempt) => backoffDelayMs(attempt, policy, () => 0.999999))).toEqual([
      100, 200, 400,
    ]);
  });

  it('never exceeds maxDelayMs', () => {
    expect(backoffDelayMs(30, policy, () => 0.999999)).toBe(1_000);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads seconds and HTTP dates, ignores garbage', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3_000);
    expect(parseRetryAfterMs('Wed, 01 Jan 2025 00:00:02 GMT', now)).toBe(2_000);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });

  it('waits longer when the server asks, but never past maxDelayMs', () => {
    expect(retryDelayMs(1, policy, () => 0, '0.5', now)).toBe(50);
    expect(retryDelayMs(1, policy, () => 0, '0', now)).toBe(50);
    expect(retryDelayMs(1, { ...policy, maxDelayMs: 5_000 }, () => 0, '2', now)).toBe(2_000);
    expect(retryDelayMs(1, policy, () => 0, '3600', now)).toBe(1_000);
  });
});

describe('resolveRetryPolicy', () => {
  it('fills defaults and refuses nonsense', () => {
    expect(resolveRetryPolicy({ attempts: 2 })).toMatchObject({ attempts: 2, baseDelayMs: 500 });
    expect(() => resolveRetryPolicy({ attempts: 0 })).toThrow(/retry.attempts/);
    expect(() => resolveRetryPolicy({ baseDelayMs: 10, maxDelayMs: 1 })).toThrow(/baseDelayMs <= maxDelayMs/);
  });
});
