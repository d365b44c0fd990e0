import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { probeMedia } from '@exercise-pipeline/shared';
import { useTempDir } from '@exercise-pipeline/test/harness';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMp4Durations } from './mp4-durations.js';

const temp = useTempDir('mp4-durations');
let dir: string;

beforeAll(async () => {
  dir = temp.path;
});

/** An H.264 + AAC mp4 written by ffmpeg, as the composer writes its renders. */
function makeMp4(name: string, args: string[]): string {
  const out = path.join(dir, name);
  const result = spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-v',
      'error',
      '-y',
      ...args,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-c:a',
      'aac',
      out,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return out;
}

const video = (seconds: number) => ['-f', 'lavfi', '-i', `testsrc2=s=160x90:r=25:d=${seconds}`];
const tone = (seconds: number) => ['-f', 'lavfi', '-i', `sine=f=440:d=${seconds}`];

describe('readMp4Durations', () => {
  it('reads the same movie, video and audio durations as ffprobe', async () => {
    const cases = [
      makeMp4('faststart.mp4', [...video(3), ...tone(3), '-movflags', '+faststart']),
      makeMp4('moov-at-end.mp4', [...video(2.4), ...tone(2.4)]),
      makeMp4('longer-audio.mp4', [...video(2), ...tone(3.5), '-movflags', '+faststart']),
    ];
    for (const file of cases) {
      const ours = await readMp4Durations(file);
      const probe = await probeMedia(file);
      expect(ours, file).toBeDefined();
      expect(ours?.durationSeconds, file).toBeCloseTo(probe.durationSeconds, 2);
      expect(ours?.video?.durationSeconds, file).toBeCloseTo(probe.video?.durationSeconds ?? Number.NaN, 2);
      expect(ours?.audio?.durationSeconds, file).toBeCloseTo(probe.audio?.durationSeconds ?? Number.NaN, 2);
    }
  });

  it('reports no audio for a file without an audio track', async () => {
    const file = makeMp4('silent.mp4', [...video(1), '-an']);
    const ours = await readMp4Durations(file);
    expect(ours?.video?.durationSeconds).toBeCloseTo(1, 2);
    expect(ours?.audio).toBeUndefined();
  });

  it('gives undefined for what is not an MP4, so the caller asks ffprobe', async () => {
    const playlist = path.join(dir, 'playlist.mp4');
    await writeFile(playlist, '#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n');
    expect(await readMp4Durations(playlist)).toBeUndefined();
    const truncated = path.join(dir, 'truncated.mp4');
    await writeFile(truncated, Buffer.from([0, 0, 0, 40, 0x6d, 0x6f, 0x6f, 0x76, 1, 2, 3]));
    expect(await readMp4Durations(truncated)).toBeUndefined();
    expect(await readMp4Durations(path.join(dir, 'absent.mp4'))).toBeUndefined();
  });
});
