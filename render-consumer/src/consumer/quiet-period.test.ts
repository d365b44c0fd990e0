import { describe, expect, it } from 'vitest';
import { decideQuiet, retryVisibilitySeconds, DeferredCopies } from './quiet-period.js';

const now = new Date('2026-11-27T09:00:20Z');

describe('decideQuiet', () => {
  it('waits for the rest of the quiet period after the newest object', () => {
    expect(
      decideQuiet({
        newestObjectAt: new Date('2026-11-27T09:00:15Z'),
        now,
        quietSeconds: 20,
        coveredBySync: false,
      }),
    ).toEqual({
      quiet: false,
      delaySeconds: 15,
    });
    expect(
      decideQuiet({
        newestObjectAt: new Date('2026-11-27T09:00:19.5Z'),
        now,
        quietSeconds: 2,
        coveredBySync: false,
      }),
    ).toEqual({
      quiet: false,
      delaySeconds: 2,
    });
  });

  it('is quiet once nothing changed for long enough, or when the agent announced this state', () => {
    expect(
      decideQuiet({
        newestObjectAt: new Date('2026-11-27T09:00:00Z'),
        now,
        quietSeconds: 20,
        coveredBySync: false,
      }),
    ).toEqual({
      quiet: true,
    });
    expect(decideQuiet({ newestObjectAt: now, now, quietSeconds: 20, coveredBySync: true })).toEqual({
      quiet: true,
    });
    expect(decideQuiet({ newestObjectAt: now, now, quietSeconds: 0, coveredBySync: false })).toEqual({
      quiet: true,
    });
  });

  it('never asks for more than SQS allows, and at least one second', () => {
    expect(decideQuiet({ newestObjectAt: now, now, quietSeconds: 5000, coveredBySync: false })).toEqual({
      quiet: false,
      delaySeconds: 900,
    });
    // A clock skew that puts the object in the future still waits the whole period, not less.
    expect(
      decideQuiet({
        newestObjectAt: new Date(now.getTime() + 3000),
        now,
        quietSeconds: 4,
        coveredBySync: false,
      }),
    ).toEqual({
      quiet: false,
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

describe('DeferredCopies', () => {
  it('covers an exercise from a deferral until just before its copy comes back', () => {
    const memo = new DeferredCopies(1000);
    memo.deferred('squat', 20, 0);
    expect(memo.covers('squat', 0)).toBe(true);
    expect(memo.covers('squat', 18_999)).toBe(true);
    expect(memo.covers('squat', 19_000)).toBe(false);
    expect(memo.covers('lunge', 0)).toBe(false);
  });

  it('keeps the later of two copies, and forgets copies that came back', () => {
    const memo = new DeferredCopies(0);
    memo.deferred('squat', 20, 0);
    memo.deferred('squat', 5, 10_000);
    expect(memo.covers('squat', 19_000)).toBe(true);
    memo.deferred('lunge', 3, 30_000);
    expect(memo.covers('squat', 30_000)).toBe(false);
    expect(memo.covers('lunge', 32_000)).toBe(true);
  });
});
