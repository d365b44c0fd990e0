import { hostname } from 'node:os';

/**
 * Where a person watches a render, for the "Render Ready" event's `previewUrl`: an absolute
 * playback URL (Bunny Stream) is that link; the local publisher's playback URL is a path on the
 * consumer (`/media/{id}/playlist.m3u8`), which most browsers cannot play by itself, so the link is
 * the consumer's status page playing that render (`{statusPage}/#render={id}`). Undefined when
 * neither is known.
 */
export function previewLink(
  playbackUrl: string | null | undefined,
  renderId: number | string,
  statusPageUrl: string | undefined,
): string | undefined {
  if (playbackUrl && /^https?:\/\//i.test(playbackUrl)) return playbackUrl;
  if (statusPageUrl === undefined) return undefined;
  return `${statusPageUrl.replace(/\/+$/, '')}/#render=${encodeURIComponent(String(renderId))}`;
}

/**
 * The status page's address when STATUS_PAGE_URL is unset: the address the server listens on, with
 * a wildcard address (`0.0.0.0`, `::`) replaced by the host's name, since a link to 0.0.0.0 leads
 * nowhere on another machine.
 */
export function defaultStatusPageUrl(address: string, port: number, host: string = hostname()): string {
  if (address === '0.0.0.0' || address === '::' || address === '') return `http://${host}:${port}`;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}
