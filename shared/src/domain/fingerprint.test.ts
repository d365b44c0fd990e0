import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bundleFingerprint } from './fingerprint.js';

const objects = [
  { key: 'rep-left-video-1.mp4', size: 1000, etag: '"aaa"' },
  { key: 'manifest.json', size: 120, etag: 'bbb' },
];

describe('bundleFingerprint', () => {
  it('hashes sorted key/size/etag lines with quotes removed', () => {
    const expected = createHash('sha256')
      .update('manifest.json\t120\tbbb\nrep-left-video-1.mp4\t1000\taaa')
      .digest('hex');
    expect(bundleFingerprint(objects)).toBe(expected);
  });

  it('does not depend on listing order', () => {
    expect(bundleFingerprint([...objects].reverse())).toBe(bundleFingerprint(objects));
  });

  it('changes when one object changes size or ETag', () => {
    const base = bundleFingerprint(objects);
    expect(bundleFingerprint([{ ...objects[0]!, etag: 'ccc' }, objects[1]!])).not.toBe(base);
    expect(bundleFingerprint([{ ...objects[0]!, size: 1001 }, objects[1]!])).not.toBe(base);
    expect(bundleFingerprint([objects[1]!])).not.toBe(base);
  });
});
