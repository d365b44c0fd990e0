import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bunnyDirectoryToken, playbackSigner, signPlaybackUrl } from './playback-token.js';

const signing = { tokenKey: 'zone-token-key', expirySeconds: 600, cdnHostname: 'vz-12.b-cdn.net' };
const NOW = 1_767_000_000_000;

describe('signPlaybackUrl', () => {
  it("signs the video's directory in the path form, expiring after the configured seconds", () => {
    const signed = signPlaybackUrl('https://vz-12.b-cdn.net/abc-123/playlist.m3u8', signing, NOW);
    const expires = NOW / 1000 + 600;
    // The token as Bunny's documentation defines it, computed independently here.
    const expected = createHash('sha256')
      .update(`zone-token-key/abc-123/${expires}token_path=/abc-123/`)
      .digest('base64')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(signed).toBe(
      `https://vz-12.b-cdn.net/bcdn_token=${expected}&expires=${expires}&token_path=%2Fabc-123%2F/abc-123/playlist.m3u8`,
    );
    expect(bunnyDirectoryToken('zone-token-key', '/abc-123/', expires)).toBe(expected);
    // A segment the playlist names relatively resolves under the same token.
    expect(new URL('segment-1.ts', signed).pathname).toBe(
      `/bcdn_token=${expected}&expires=${expires}&token_path=%2Fabc-123%2F/abc-123/segment-1.ts`,
    );
  });

  it('leaves other hosts, relative URLs and the unsigned case alone', () => {
    expect(signPlaybackUrl('/media/x/playlist.m3u8', signing, NOW)).toBe('/media/x/playlist.m3u8');
    expect(signPlaybackUrl('https://elsewhere.example/abc/playlist.m3u8', signing, NOW)).toBe(
      'https://elsewhere.example/abc/playlist.m3u8',
    );
    expect(playbackSigner(undefined)('https://vz-12.b-cdn.net/abc/playlist.m3u8')).toBe(
      'https://vz-12.b-cdn.net/abc/playlist.m3u8',
    );
    expect(playbackSigner(signing)('https://vz-12.b-cdn.net/abc/playlist.m3u8')).toContain('/bcdn_token=');
  });
});
