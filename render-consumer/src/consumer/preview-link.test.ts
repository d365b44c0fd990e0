import { describe, expect, it } from 'vitest';
import { defaultStatusPageUrl, previewLink } from './preview-link.js';

describe('previewLink', () => {
  it('keeps an absolute playback URL (Bunny Stream) as the link', () => {
    const url = 'https://vz-abc-1.b-cdn.net/0a1b/playlist.m3u8';
    expect(previewLink(url, 7, 'http://consumer:9400')).toBe(url);
  });

  it('links the status page playing the render for a local playback path', () => {
    expect(previewLink('/media/abc/playlist.m3u8', 12, 'http://nas.local:9400/')).toBe(
      'http://nas.local:9400/#render=12',
    );
  });

  it('has no link for a local path without a status page address', () => {
    expect(previewLink('/media/abc/playlist.m3u8', 12, undefined)).toBeUndefined();
    expect(previewLink(null, 12, undefined)).toBeUndefined();
  });
});

describe('defaultStatusPageUrl', () => {
  it('uses the listening address, or the host name for a wildcard address', () => {
    expect(defaultStatusPageUrl('127.0.0.1', 9400)).toBe('http://127.0.0.1:9400');
    expect(defaultStatusPageUrl('::1', 9400)).toBe('http://[::1]:9400');
    expect(defaultStatusPageUrl('0.0.0.0', 9400, 'nas')).toBe('http://nas:9400');
    expect(defaultStatusPageUrl('::', 9401, 'nas')).toBe('http://nas:9401');
  });
});
