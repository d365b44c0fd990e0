import { describe, expect, it } from 'vitest';
import { parseHlsPlaylist } from './hls-playlist.js';

describe('parseHlsPlaylist', () => {
  it('reads segments, their durations and the end marker', () => {
    const playlist = parseHlsPlaylist(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:4',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXTINF:4.000000,',
        'segment-00000.ts',
        '#EXTINF:1.480000,',
        'segment-00001.ts',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
    expect(playlist.segments).toEqual([
      { uri: 'segment-00000.ts', durationSeconds: 4 },
      { uri: 'segment-00001.ts', durationSeconds: 1.48 },
    ]);
    expect(playlist.totalSeconds).toBeCloseTo(5.48);
    expect(playlist.ended).toBe(true);
  });

  it('notices a playlist that is still growing', () => {
    expect(parseHlsPlaylist('#EXTM3U\r\n#EXTINF:4,\r\na.ts\r\n').ended).toBe(false);
  });

  it('refuses text that is not a playlist or has a segment without EXTINF', () => {
    expect(() => parseHlsPlaylist('<html>')).toThrow(/#EXTM3U/);
    expect(() => parseHlsPlaylist('#EXTM3U\na.ts\n')).toThrow(/no #EXTINF/);
    expect(() => parseHlsPlaylist('#EXTM3U\n#EXTINF:abc,\na.ts\n')).toThrow(/invalid segment duration/);
  });
});
