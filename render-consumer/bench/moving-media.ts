/**
 * Filmed-looking stand-ins for the bench's 1080p primitives.
 *
 * The test fixtures draw every clip as one solid colour, which is right for telling clips apart in
 * a render but wrong for timing a re-encode: libx264 compresses a flat frame almost for free, so a
 * full re-encode of solid colours runs about twice as fast as one of real footage and the
 * "re-encode / compose" ratio would be unreachable for reasons that have nothing to do with the
 * composer. Real primitives are moving pictures with detail and sensor grain, delivered at a
 * camera-export bitrate; these clips are the same: lavfi `testsrc2` (moving pattern, gradients,
 * text) with temporal grain, a different hue per clip, H.264 High yuv420p capped near 12 Mbit/s.
 * Every clip shares one encoder profile and GOP, as one team's exports do, so the stream-copy path
 * still applies.
 */
import { runFfmpeg } from '@exercise-pipeline/shared';
import type { BundleFixtureFile } from '@exercise-pipeline/test/fixtures';

/** One line for the bench output, so a reader knows what the timings were measured on. */
export const MOVING_SOURCE_NOTE =
  'primitives: moving testsrc2 pattern + temporal grain, H.264 High yuv420p ~10 Mbit/s, ' +
  'GOP 1 s (stand-ins for filmed footage; solid colours re-encode ~2x faster than real video)';

export interface MovingClip {
  /** Where the clip is written (an existing solid-colour fixture is replaced). */
  path: string;
  width: number;
  height: number;
  fps: number;
  seconds: number;
  /** Position in the bundle; shifts the hue so clips stay distinguishable in a render. */
  index: number;
}

/** ffmpeg arguments for one clip: moving detailed video plus a silent mono AAC track. */
export function movingClipArgs(clip: MovingClip): string[] {
  const video =
    `testsrc2=size=${clip.width}x${clip.height}:rate=${clip.fps}:duration=${clip.seconds},` +
    `hue=h=${(clip.index * 47) % 360},noise=alls=6:allf=t+u,format=yuv420p`;
  return [
    '-y',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    video,
    '-f',
    'lavfi',
    '-i',
    `anullsrc=r=44100:cl=mono:d=${clip.seconds}`,
    '-map',
    '0:v',
    '-map',
    '1:a',
    '-t',
    String(clip.seconds),
    '-c:v',
    'libx264',
    '-profile:v',
    'high',
    '-preset',
    'veryfast',
    '-crf',
    '20',
    '-maxrate',
    '12M',
    '-bufsize',
    '24M',
    '-g',
    String(Math.round(clip.fps)),
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-ar',
    '44100',
    '-ac',
    '1',
    '-movflags',
    '+faststart',
    clip.path,
  ];
}

export interface MovingBundleShape {
  width: number;
  height: number;
  fps: number;
  repsPerBlock: number;
  repSeconds: number;
  framingSeconds: number;
}

/** The clips replacing a generated bundle's videos, same names, sizes and lengths. */
export function movingClipsFor(
  dir: string,
  files: readonly BundleFixtureFile[],
  shape: MovingBundleShape,
): MovingClip[] {
  return files
    .filter((file) => file.kind === 'video')
    .map((file, index) => ({
      path: `${dir}/${file.path}`,
      width: shape.width,
      height: shape.height,
      fps: shape.fps,
      seconds: file.slot.startsWith('rep-') ? shape.repsPerBlock * shape.repSeconds : shape.framingSeconds,
      index,
    }));
}

/** Encodes the clips one at a time: each encode already uses every core. */
export async function writeMovingClips(clips: readonly MovingClip[]): Promise<void> {
  for (const clip of clips) {
    await runFfmpeg(movingClipArgs(clip), { timeoutMs: 600_000 });
  }
}
