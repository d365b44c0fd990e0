import type { ProbeResult } from '@exercise-pipeline/shared';
import type { VideoProfile } from '../validate/check-bundle.js';

/**
 * The one profile `normalize: true` converts videos to: H.264 in yuv420p, at the size and frame rate
 * most of the delivery already has, so the fewest files are re-encoded and the composer can join
 * segments without re-encoding them again.
 */
export function mezzanineProfile(majority: VideoProfile): VideoProfile {
  return {
    codec: 'h264',
    pixelFormat: 'yuv420p',
    width: majority.width,
    height: majority.height,
    frameRate: majority.frameRate,
  };
}

/** Whether a delivered video must be re-encoded to reach the mezzanine profile. */
export function needsTranscode(
  video: ProbeResult['video'] | undefined,
  formatName: string,
  target: VideoProfile,
): boolean {
  if (video === undefined) return true;
  return (
    !formatName.split(',').includes('mp4') ||
    video.codec !== target.codec ||
    video.pixelFormat !== target.pixelFormat ||
    video.width !== target.width ||
    video.height !== target.height ||
    video.frameRate !== target.frameRate
  );
}

/** ffmpeg arguments that re-encode one video to the profile (audio, when present, to AAC). */
export function transcodeVideoArgs(source: string, output: string, target: VideoProfile): string[] {
  return [
    '-y',
    '-i',
    source,
    '-map',
    '0:v:0',
    '-map',
    '0:a:0?',
    '-vf',
    `scale=${target.width}:${target.height}:force_original_aspect_ratio=decrease,pad=${target.width}:${target.height}:(ow-iw)/2:(oh-ih)/2,setsar=1`,
    '-r',
    target.frameRate,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '18',
    '-pix_fmt',
    target.pixelFormat,
    '-c:a',
    'aac',
    '-b:a',
    '192k',
    '-movflags',
    '+faststart',
    '-map_metadata',
    '-1',
    '-fflags',
    '+bitexact',
    '-f',
    'mp4',
    output,
  ];
}

/**
 * ffmpeg arguments that turn a sound track into the bundle's voice-over format (mp3, 192 kb/s). The
 * bit-exact flags and dropped metadata make the output depend on the input only, so re-staging the
 * same delivery gives the same bytes and the sync has nothing to upload.
 */
export function voiceOverArgs(source: string, output: string): string[] {
  return [
    '-y',
    '-i',
    source,
    '-map',
    '0:a:0',
    '-vn',
    '-c:a',
    'libmp3lame',
    '-b:a',
    '192k',
    '-map_metadata',
    '-1',
    '-fflags',
    '+bitexact',
    '-flags:a',
    '+bitexact',
    '-f',
    'mp3',
    output,
  ];
}
