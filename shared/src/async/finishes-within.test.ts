import { describe, expect, it } from 'vitest';
import { finishesWithin } from './finishes-within.js';

describe('finishesWithin', () => {
  it('is true for work that resolves or rejects in time', async () => {
    expect(await finishesWithin(Promise.resolve(1), 50)).toBe(true);
    expect(await finishesWithin(Promise.reject(new Error('boom')), 50)).toBe(true);
  });

  it('is false, after the bound, for work that never finishes', async () => {
    const started = performance.now();
    expect(await finishesWithin(new Promise(() => {}), 40)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });
});
