import { describe, expect, it } from 'vitest';
import { FfmpegError } from './ffmpeg-error.js';
import { formatCommand, inputProtocol, protectInputs } from './protect-inputs.js';

describe('protectInputs', () => {
  it('puts the whitelist right before every -i and leaves other arguments alone', () => {
    expect(
      protectInputs('ffmpeg', ['-ss', '1', '-i', 'a.mp4', '-i', 'b.mp3', '-map', '0:v', 'out.mp4']),
    ).toEqual([
      '-ss',
      '1',
      '-protocol_whitelist',
      'file,pipe',
      '-i',
      'a.mp4',
      '-protocol_whitelist',
      'file,pipe',
      '-i',
      'b.mp3',
      '-map',
      '0:v',
      'out.mp4',
    ]);
  });

  it.each([
    'http://127.0.0.1/x.mp4',
    'HTTPS://cdn/x.m3u8',
    'hls+http://h/x.m3u8',
    'concat:a.ts|b.ts',
    'rtmp://h/live',
    'subfile,,start,0,end,9,,:x.mp4',
  ])('refuses the input %s', (input) => {
    let caught: unknown;
    try {
      protectInputs('ffmpeg', ['-i', input, 'out.mp4']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FfmpegError);
    expect((caught as FfmpegError).code).toBe('FFMPEG_INPUT_REFUSED');
    expect((caught as FfmpegError).message).toContain(JSON.stringify(input));
  });

  it.each([
    'clip.mp4',
    '/abs/dir/clip.mp4',
    'file:clip.mp4',
    'pipe:0',
    '-',
    './odd:name.mp4',
    'testsrc=size=64x64:rate=25',
    'sine=frequency=440:duration=1',
  ])('accepts the local input %s', (input) => {
    expect(protectInputs('ffmpeg', ['-i', input])).toEqual(['-protocol_whitelist', 'file,pipe', '-i', input]);
  });

  it('reads protocols the way ffmpeg does', () => {
    expect(inputProtocol('tcp://h:1')).toBe('tcp');
    expect(inputProtocol('a-b.c+d:rest')).toBe('a-b.c+d');
    expect(inputProtocol('dir/a:b')).toBeUndefined();
    expect(inputProtocol('plain.mp4')).toBeUndefined();
  });

  it('quotes arguments for display', () => {
    expect(formatCommand('ffmpeg', ['-i', "my 'clip'.mp4", 'out.mp4'])).toBe(
      "ffmpeg -i 'my '\\''clip'\\''.mp4' out.mp4",
    );
  });
});
