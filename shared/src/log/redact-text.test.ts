import { describe, expect, it } from 'vitest';
import { redactText } from './redact-text.js';

describe('redactText', () => {
  it('removes every occurrence of each secret, including URL-encoded forms', () => {
    const text =
      'PUT https://video.bunnycdn.com/x?key=a%2Fb%2Bc failed: AccessKey a/b+c rejected; again a/b+c';
    expect(redactText(text, ['a/b+c'])).toBe(
      'PUT https://video.bunnycdn.com/x?key=[Redacted] failed: AccessKey [Redacted] rejected; again [Redacted]',
    );
  });

  it('removes a longer secret whole when it contains a shorter one', () => {
    expect(redactText('token abc123xyz and abc', ['abc', 'abc123xyz'])).toBe(
      'token [Redacted] and [Redacted]',
    );
  });

  it('ignores empty secrets and leaves clean text unchanged', () => {
    expect(redactText('nothing to hide', ['', '  '])).toBe('nothing to hide');
  });
});
