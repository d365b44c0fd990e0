/** Reading a media playlist (RFC 8216) just far enough to tell whether a local rendition is complete. */

export interface HlsSegment {
  uri: string;
  durationSeconds: number;
}

export interface HlsPlaylist {
  segments: HlsSegment[];
  /** Sum of the segments' EXTINF durations. */
  totalSeconds: number;
  /** `#EXT-X-ENDLIST` present: the playlist is final (VOD), no segment will be added. */
  ended: boolean;
}

/** Throws when the text is not an HLS media playlist; segment URIs are returned as written. */
export function parseHlsPlaylist(text: string): HlsPlaylist {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist: the first line must be #EXTM3U');
  const segments: HlsSegment[] = [];
  let pending: number | undefined;
  let ended = false;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (line.startsWith('#EXTINF:')) {
      const duration = Number.parseFloat(line.slice('#EXTINF:'.length));
      if (!Number.isFinite(duration) || duration < 0)
        throw new Error(`invalid segment duration in "${line}"`);
      pending = duration;
    } else if (line === '#EXT-X-ENDLIST') {
      ended = true;
    } else if (!line.startsWith('#')) {
      if (pending === undefined) throw new Error(`segment "${line}" has no #EXTINF before it`);
      segments.push({ uri: line, durationSeconds: pending });
      pending = undefined;
    }
  }
  const totalSeconds = segments.reduce((sum, segment) => sum + segment.durationSeconds, 0);
  return { segments, totalSeconds, ended };
}
