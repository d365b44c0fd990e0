import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhookBody, verifyWebhookSignature, webhookOutcome } from './webhook-signature.js';

const KEY = 'read-only-key';
const body = Buffer.from('{"VideoLibraryId":133,"VideoGuid":"abc","Status":3}');
const good = createHmac('sha256', KEY).update(body).digest('hex');

describe('verifyWebhookSignature', () => {
  it('accepts the lowercase hex HMAC-SHA256 of the raw body keyed with the read-only key', () => {
    expect(signWebhookBody(body, KEY)).toBe(good);
    expect(
      verifyWebhookSignature(body, { signature: good, version: 'v1', algorithm: 'hmac-sha256' }, KEY),
    ).toEqual({
      ok: true,
    });
  });

  it('refuses a missing, malformed, wrong or differently keyed signature', () => {
    expect(verifyWebhookSignature(body, {}, KEY)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyWebhookSignature(body, { signature: 'xyz' }, KEY)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(verifyWebhookSignature(body, { signature: good.toUpperCase() }, KEY).ok).toBe(false);
    expect(verifyWebhookSignature(body, { signature: signWebhookBody(body, 'other') }, KEY)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    const altered = Buffer.from(body.toString().replace('3}', '4}'));
    expect(verifyWebhookSignature(altered, { signature: good }, KEY).ok).toBe(false);
  });

  it('refuses another signature version or algorithm', () => {
    expect(verifyWebhookSignature(body, { signature: good, version: 'v2' }, KEY)).toEqual({
      ok: false,
      reason: 'unsupported',
    });
    expect(verifyWebhookSignature(body, { signature: good, algorithm: 'hmac-sha1' }, KEY).ok).toBe(false);
  });
});

describe('webhookOutcome', () => {
  it('maps webhook statuses: 3 and 4 playable, 5 failed, the rest undecided', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(webhookOutcome)).toEqual([
      'pending',
      'pending',
      'pending',
      'ready',
      'ready',
      'failed',
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
  });
});
