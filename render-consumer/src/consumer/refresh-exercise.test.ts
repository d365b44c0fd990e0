import { describe, expect, it } from 'vitest';
import { MAX_DELAY_SECONDS } from './quiet-period.js';
import { takeoverDelaySeconds } from './refresh-exercise.js';

describe('takeoverDelaySeconds', () => {
  it('looks again just after the lease left to another consumer could run out', () => {
    expect(takeoverDelaySeconds(58.2)).toBe(60);
    expect(takeoverDelaySeconds(3)).toBe(4);
  });

  it('waits at least two seconds and at most SQS allows', () => {
    expect(takeoverDelaySeconds(0)).toBe(2);
    expect(takeoverDelaySeconds(0.2)).toBe(2);
    expect(takeoverDelaySeconds(3600)).toBe(MAX_DELAY_SECONDS);
    expect(takeoverDelaySeconds(Number.POSITIVE_INFINITY)).toBe(2);
  });
});
