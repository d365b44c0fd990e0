import { describe, expect, it } from 'vitest';
import { settlesWithin } from './settles-within.js';

describe('settlesWithin', () => {
  it('is true for work that resolves or rejects in time', async () => {
    expect(await settlesWithin(Promise.resolve(1), 50)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error('boom')), 50)).toBe(true);
  });

  it('is false, after the bound, for work that never settles', async () => {
    const started = performance.now();
    expect(await settlesWithin(new Promise(() => {}), 40)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });
});
