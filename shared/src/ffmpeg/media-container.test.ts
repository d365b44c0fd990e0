import { describe, expect, it } from 'vitest';
import { isContainer, pinnedInputArgs, sniffContainer } from './media-container.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('sniffContainer', () => {
  it('tells playlists and concat scripts named like media from real media', () => {
    expect(sniffContainer(bytes('#EXTM3U\n#EXT-X-TARGETDURATION:5\n'))).toBe('hls');
    expect(sniffContainer(bytes('\uFEFF  #EXTM3U\n'))).toBe('hls');
    expect(sniffContainer(bytes("ffconcat version 1.0\nfile '/etc/x'\n"))).toBe('ffconcat');
    expect(sniffContainer(Uint8Array.of(0, 0, 0, 0x20, ...bytes('ftypisom')))).toBe('mp4');
    expect(sniffContainer(Uint8Array.of(0, 0, 0, 8, ...bytes('wide')))).toBe('mp4');
    expect(sniffContainer(bytes('ID3\u0004\u0000'))).toBe('mp3');
    expect(sniffContainer(Uint8Array.of(0xff, 0xfb, 0x90, 0x64))).toBe('mp3');
    expect(sniffContainer(bytes('hello'))).toBe('text');
    expect(sniffContainer(Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3))).toBe('other');
  });
});

describe('isContainer', () => {
  it('accepts only the demuxer names of the expected container', () => {
    expect(isContainer('mov,mp4,m4a,3gp,3g2,mj2', 'mp4')).toBe(true);
    expect(isContainer('mp3', 'mp3')).toBe(true);
    expect(isContainer('hls', 'mp4')).toBe(false);
    expect(isContainer('concat', 'mp4')).toBe(false);
    expect(isContainer('mov,mp4,m4a,3gp,3g2,mj2', 'mp3')).toBe(false);
  });

  it('pins the demuxer and its whitelist as input options', () => {
    expect(pinnedInputArgs('mp4')).toEqual(['-f', 'mov', '-format_whitelist', 'mov,mp4,m4a,3gp,3g2,mj2']);
    expect(pinnedInputArgs('mp3')).toEqual(['-f', 'mp3', '-format_whitelist', 'mp3']);
  });
});
