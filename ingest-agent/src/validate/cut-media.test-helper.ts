import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runFfmpeg } from '@exercise-pipeline/shared';

/** Complete files and copies of them that stop at 40 %, as a copy interrupted half-way leaves them. */
export interface CutMedia {
  /** 4 s, video and sound, written with `-movflags +faststart` (index at the front). */
  mp4: string;
  /** 4 s of sound with the Xing/Info frame libmp3lame writes (it declares the length). */
  mp3: string;
  cutMp4: string;
  cutMp3: string;
}

const KEEP = 0.4;

async function cut(source: string, target: string): Promise<void> {
  const bytes = await readFile(source);
  await writeFile(target, bytes.subarray(0, Math.floor(bytes.length * KEEP)));
}

export async function makeCutMedia(dir: string): Promise<CutMedia> {
  const media: CutMedia = {
    mp4: path.join(dir, 'whole.mp4'),
    mp3: path.join(dir, 'whole.mp3'),
    cutMp4: path.join(dir, 'cut.mp4'),
    cutMp3: path.join(dir, 'cut.mp3'),
  };
  await runFfmpeg(
    ['-y', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=10:duration=4'].concat(
      ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=4', '-c:v', 'libx264', '-preset', 'ultrafast'],
      ['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', media.mp4],
    ),
    { timeoutMs: 30_000 },
  );
  await runFfmpeg(
    ['-y', '-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=4', '-c:a', 'libmp3lame'].concat([
      '-b:a',
      '64k',
      media.mp3,
    ]),
    { timeoutMs: 30_000 },
  );
  await cut(media.mp4, media.cutMp4);
  await cut(media.mp3, media.cutMp3);
  return media;
}
