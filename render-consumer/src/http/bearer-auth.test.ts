import { describe, expect, it } from 'vitest';
import { bearerMatches } from './bearer-auth.js';

describe('bearerMatches', () => {
  it('accepts exactly the configured token with the Bearer scheme in any case', () => {
    expect(bearerMatches('Bearer tok-123', 'tok-123')).toBe(true);
    expect(bearerMatches('bearer tok-123', 'tok-123')).toBe(true);
  });

  it('refuses a missing header, another scheme, a prefix or an extension of the token', () => {
    expect(bearerMatches(undefined, 'tok-123')).toBe(false);
    expect(bearerMatches('Basic tok-123', 'tok-123')).toBe(false);
    expect(bearerMatches('Bearer tok-12', 'tok-123')).toBe(false);
    expect(bearerMatches('Bearer tok-1234', 'tok-123')).toBe(false);
    expect(bearerMatches('Bearer ', '')).toBe(false);
  });
});
