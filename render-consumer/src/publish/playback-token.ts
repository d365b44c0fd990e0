import { createHash } from 'node:crypto';

/**
 * Bunny CDN token authentication (the advanced, SHA-256 form) for HLS playback URLs. A playlist
 * fetches its segments by relative URL, so the token signs the video's directory (`token_path`) and
 * rides in the path (`/bcdn_token=…&expires=…&token_path=…/{videoId}/playlist.m3u8`): every segment
 * request then carries it too.
 *
 *   token = base64url(sha256(key + signed_path + expires + sorted_params)), without padding
 *
 * where `sorted_params` are the extra parameters (here only `token_path`) sorted by name and joined
 * as `name=value&…` unencoded.
 */

export interface PlaybackSigning {
  /** BUNNY_STREAM_TOKEN_KEY: the pull zone's URL token authentication key. Secret. */
  tokenKey: string;
  /** How long a signed URL plays; BUNNY_STREAM_TOKEN_EXPIRY_SECONDS, default 3600. */
  expirySeconds: number;
  /** The CDN host whose URLs are signed (others, such as the local publisher's, are left alone). */
  cdnHostname: string;
}

/** The token for `signedPath` expiring at `expires` (UNIX seconds), with `token_path` as a parameter. */
export function bunnyDirectoryToken(tokenKey: string, signedPath: string, expires: number): string {
  const parameters = `token_path=${signedPath}`;
  return createHash('sha256')
    .update(`${tokenKey}${signedPath}${expires}${parameters}`, 'utf8')
    .digest('base64url');
}

/**
 * `url` with a directory token covering its folder, valid for `expirySeconds` from `now` (ms). URLs
 * on another host, relative ones, and anything not shaped like `https://host/{dir}/file` are
 * returned unchanged.
 */
export function signPlaybackUrl(url: string, signing: PlaybackSigning, now: number = Date.now()): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  const host = signing.cdnHostname.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (parsed.host !== host) return url;
  const folder = parsed.pathname.slice(0, parsed.pathname.lastIndexOf('/') + 1);
  if (folder === '/' || folder === '') return url;
  const expires = Math.floor(now / 1000) + signing.expirySeconds;
  const token = bunnyDirectoryToken(signing.tokenKey, folder, expires);
  const prefix = `/bcdn_token=${token}&expires=${expires}&token_path=${encodeURIComponent(folder)}`;
  return `${parsed.protocol}//${parsed.host}${prefix}${parsed.pathname}${parsed.search}`;
}

/** A signer for the configured CDN, or the identity when no token key is set. */
export function playbackSigner(signing: PlaybackSigning | undefined): (url: string) => string {
  return signing === undefined ? (url) => url : (url) => signPlaybackUrl(url, signing);
}
