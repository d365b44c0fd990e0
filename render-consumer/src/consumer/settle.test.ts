import { describe, expect, it } from 'vitest';
import { decideSettle, retryVisibilitySeconds, SettlingMemo } from './settle.js';

const now = new Date('2026-11-27T09:00:20Z');

describe('decideSettle', () => {
  it('waits for the rest of the quiet period after the newest object', () => {
    expect(
      decideSettle({
        newestObjectAt: new Date('2026-11-27T09:00:15Z'),
        now,
        settleSeconds: 20,
        coveredBySync: false,
      }),
    ).toEqual({
      settled: false,
      delaySeconds: 15,
    });
    expect(
      decideSettle({
        newestObjectAt: new Date('2026-11-27T09:00:19.5Z'),
        now,
        settleSeconds: 2,
        coveredBySync: false,
      }),
    ).toEqual({
      settled: false,
      delaySeconds: 2,
    });
  });

  it('is settled once the bundle is quiet long enough, or when the agent announced this state', () => {
    expect(
      decideSettle({
        newestObjectAt: new Date('2026-11-27T09:00:00Z'),
        now,
        settleSeconds: 20,
        coveredBySync: false,
      }),
    ).toEqual({
      settled: true,
    });
    expect(decideSettle({ newestObjectAt: now, now, settleSeconds: 20, coveredBySync: true })).toEqual({
      settled: true,
    });
    expect(decideSettle({ newestObjectAt: now, now, settleSeconds: 0, coveredBySync: false })).toEqual({
      settled: true,
    });
  });

  it('never asks for more than SQS allows, and at least one second', () => {
    expect(decideSettle({ newestObjectAt: now, now, settleSeconds: 5000, coveredBySync: false })).toEqual({
      settled: false,
      delaySeconds: 900,
    });
    // A clock skew that puts the object in the future still waits the whole period, not less.
    expect(
      decideSettle({
        newestObjectAt: new Date(now.getTime() + 3000),
        now,
        settleSeconds: 4,
        coveredBySync: false,
      }),
    ).toEqual({
      settled: false,
      delaySeconds: 4,
    });
  });
});

describe('retryVisibilitySeconds', () => {
  it('doubles with every receive up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryVisibilitySeconds(n, 10, 120))).toEqual([
      10, 20, 40, 80, 120, 120,
    ]);
    expect(retryVisibilitySeconds(0, 10, 120)).toBe(10);
    expect(retryVisibilitySeconds(40, 60, 1e9)).toBe(43_200);
  });
});

describe('SettlingMemo', () => {
  it('covers an exercise from a deferral until just before its copy comes back', () => {
    const memo = new SettlingMemo(1000);
    memo.deferred('squat', 20, 0);
    expect(memo.covers('squat', 0)).toBe(true);
    expect(memo.covers('squat', 18_999)).toBe(true);
    expect(memo.covers('squat', 19_000)).toBe(false);
    expect(memo.covers('lunge', 0)).toBe(false);
  });

  it('keeps the later of two copies, and forgets copies that came back', () => {
    const memo = new SettlingMemo(0);
    memo.deferred('squat', 20, 0);
    memo.deferred('squat', 5, 10_000);
    expect(memo.covers('squat', 19_000)).toBe(true);
    memo.deferred('lunge', 3, 30_000);
    expect(memo.covers('squat', 30_000)).toBe(false);
    expect(memo.covers('lunge', 32_000)).toBe(true);
  });
});
