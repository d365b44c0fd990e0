import path from 'node:path';
import { MEDIA_CONTAINERS, type MediaContainer, pinnedInputArgs } from '@exercise-pipeline/shared';
import { encoderFor, timescaleOf, type VideoProfile } from './profile.js';

/** ffmpeg may open local files and pipes, never a network protocol, whatever a path looks like. */
export const INPUT_PROTOCOLS = 'file,pipe';

/** Output audio: one AAC encode of the assembled track; 48 kHz stereo like the platform's players expect. */
export const AUDIO_ARGS = ['-c:a', 'aac', '-b:a', '192k', '-ar', '48000', '-ac', '2'] as const;

export interface ClipInput {
  /** Absolute local path. */
  path: string;
  /** Seconds this clip fills on the output's time axis. */
  seconds: number;
  /** Voice-overs: the loudness gain in dB applied before the clip is padded (none when absent or 0). */
  gainDb?: number;
}

export interface RenderArgsInput {
  /**
   * `copy`: one concat-demuxer input for all videos, packets copied. `reencode`: one input per
   * video, scaled/padded/retimed to `target` and encoded once.
   */
  mode: 'copy' | 'reencode';
  /** Videos in play order. */
  videos: readonly ClipInput[];
  /** One voice-over per segment in play order, `seconds` being the segment's length. */
  audio: readonly ClipInput[];
  /** Copy mode: where the caller writes `buildConcatList(videos)`. */
  concatListPath: string;
  /** The first segment's profile: what a re-encode converts every clip to. */
  target: VideoProfile;
  outPath: string;
}

/**
 * The whole render as one ffmpeg invocation, so the fast path costs one demux of the videos plus
 * one audio encode. Every input is an absolute path opened as `file:` under a protocol whitelist.
 */
export function buildRenderArgs(input: RenderArgsInput): string[] {
  if (input.videos.length === 0 || input.audio.length === 0) {
    throw new RangeError('buildRenderArgs: a render needs at least one video and one voice-over');
  }
  const args: string[] = [];
  let videoInputs: number;
  if (input.mode === 'copy') {
    // Without -copyts, ffmpeg shifts the copied video by the first clip's audio priming (about
    // 23 ms for AAC) because that track starts before zero; the output would begin out of sync.
    // The list is ours; the files it names are not, and each entry pins its own demuxers.
    args.push('-copyts', '-f', 'concat', '-safe', '0', ...localInput(input.concatListPath));
    videoInputs = 1;
  } else {
    for (const video of input.videos) args.push(...pinnedInputArgs('mp4'), ...localInput(video.path));
    videoInputs = input.videos.length;
  }
  for (const audio of input.audio) args.push(...pinnedInputArgs('mp3'), ...localInput(audio.path));

  const graph = input.audio.map((audio, i) =>
    audioChain(videoInputs + i, audio.seconds, audio.gainDb ?? 0, `a${i}`),
  );
  graph.push(`${input.audio.map((_, i) => `[a${i}]`).join('')}concat=n=${input.audio.length}:v=0:a=1[aout]`);
  if (input.mode === 'reencode') {
    input.videos.forEach((video, i) => {
      graph.push(videoChain(i, video.seconds, input.target, `v${i}`));
    });
    graph.push(
      `${input.videos.map((_, i) => `[v${i}]`).join('')}concat=n=${input.videos.length}:v=1:a=0[vout]`,
    );
  }
  args.push('-filter_complex', graph.join(';'));

  if (input.mode === 'copy') {
    args.push('-map', '0:v:0', '-map', '[aout]', '-c:v', 'copy');
  } else {
    const { encoder, args: encoderArgs } = encoderFor(input.target.codec);
    const timescale = timescaleOf(input.target.timeBase);
    args.push('-map', '[vout]', '-map', '[aout]', '-c:v', encoder, ...encoderArgs);
    args.push('-pix_fmt', input.target.pixelFormat, '-r', input.target.frameRate);
    if (timescale !== undefined) args.push('-video_track_timescale', String(timescale));
  }
  args.push(...AUDIO_ARGS, '-movflags', '+faststart', '-f', 'mp4', '-y', fileUrl(input.outPath));
  return args;
}

/**
 * The concat demuxer's script. Each entry is a `file:` URL (so no name can select another
 * protocol) with the clip's length as `duration`, which fixes where the next clip starts even
 * when a container's own duration is longer than its video. Each entry may be opened only by the
 * MP4/MOV demuxer (`option format_whitelist`): the concat demuxer detects its entries' formats,
 * and a bucket object must never be read as a playlist or another concat script.
 */
export function buildConcatList(videos: readonly ClipInput[], container: MediaContainer = 'mp4'): string {
  const lines = ['ffconcat version 1.0'];
  const whitelist = MEDIA_CONTAINERS[container].names.join(',');
  for (const video of videos) {
    lines.push(
      `file ${quoteConcat(fileUrl(video.path))}`,
      `option format_whitelist ${whitelist}`,
      `duration ${seconds(video.seconds)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function localInput(file: string): string[] {
  return ['-protocol_whitelist', INPUT_PROTOCOLS, '-i', fileUrl(file)];
}

/** `file:` plus an absolute path; anything else (relative, URL-like, control characters) is refused. */
export function fileUrl(file: string): string {
  if (!path.isAbsolute(file) || /[\n\r\0]/.test(file)) {
    throw new RangeError(`ffmpeg inputs must be absolute local paths, got ${JSON.stringify(file)}`);
  }
  return `file:${file}`;
}

/**
 * The voice-over fitted to its segment: cut at `length`, brought to its loudness by `gainDb` (in
 * the same graph, so the render still encodes its audio once), then padded with silence up to it.
 */
function audioChain(inputIndex: number, length: number, gainDb: number, label: string): string {
  const d = seconds(length);
  if (!Number.isFinite(gainDb)) throw new RangeError(`a voice-over gain must be finite, got ${gainDb}`);
  const gain = gainDb === 0 ? '' : `volume=${gainDb.toFixed(2)}dB,`;
  return (
    `[${inputIndex}:a:0]asetpts=PTS-STARTPTS,atrim=end=${d},aresample=48000,` +
    `aformat=sample_fmts=fltp:channel_layouts=stereo,${gain}apad=whole_dur=${d}[${label}]`
  );
}

/** A clip conformed to the target profile: letterboxed to its size, resampled to its rate, cut to whole frames. */
function videoChain(inputIndex: number, length: number, target: VideoProfile, label: string): string {
  const { width: w, height: h } = target;
  const frames = Math.max(1, Math.round(length * target.fps));
  return (
    `[${inputIndex}:v:0]setpts=PTS-STARTPTS,scale=${w}:${h}:force_original_aspect_ratio=decrease,` +
    `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${target.frameRate},format=${target.pixelFormat},` +
    // A source a little short of its last frame at the new rate is padded by repeating it.
    `tpad=stop_mode=clone:stop=2,trim=end_frame=${frames},setpts=PTS-STARTPTS[${label}]`
  );
}

function quoteConcat(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

function seconds(value: number): string {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`clip length must be > 0 seconds, got ${value}`);
  return value.toFixed(6);
}
