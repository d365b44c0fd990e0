import { describe, expect, it } from 'vitest';
import { pinnedInputFor } from './media-file.js';

describe('pinnedInputFor', () => {
  it('opens a file again only as the media container its probe found', () => {
    expect(pinnedInputFor('mov,mp4,m4a,3gp,3g2,mj2')).toEqual([
      '-f',
      'mov',
      '-format_whitelist',
      'mov,mp4,m4a,3gp,3g2,mj2',
    ]);
    expect(pinnedInputFor('mp3')).toEqual(['-f', 'mp3', '-format_whitelist', 'mp3']);
    expect(pinnedInputFor('matroska,webm')).toEqual(['-f', 'matroska', '-format_whitelist', 'matroska,webm']);
  });

  it('never reads further what is not plain media (a playlist, a concat script, images)', () => {
    for (const format of ['hls', 'concat', 'image2', 'tty', ''])
      expect(pinnedInputFor(format)).toBeUndefined();
  });
});
