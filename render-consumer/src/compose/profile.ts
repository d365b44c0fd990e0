import type { ProbeResult } from '@exercise-pipeline/shared';

/** The stream properties that must match for H.264/HEVC packets to be concatenated without re-encoding. */
export interface VideoProfile {
  codec: string;
  width: number;
  height: number;
  /** r_frame_rate as ffprobe writes it, e.g. `25/1`. */
  frameRate: string;
  fps: number;
  timeBase: string;
  pixelFormat: string;
  /** `profile|level|extradata hash` (see codecSetupOf). */
  codecSetup: string;
}

const COMPARED: readonly (keyof VideoProfile)[] = [
  'codec',
  'width',
  'height',
  'frameRate',
  'timeBase',
  'pixelFormat',
  'codecSetup',
];

export function profileOf(probe: ProbeResult): VideoProfile | null {
  const video = probe.video;
  if (!video) return null;
  return {
    codec: video.codec,
    width: video.width,
    height: video.height,
    frameRate: video.frameRate,
    fps: video.fps,
    timeBase: video.timeBase,
    pixelFormat: video.pixelFormat,
    codecSetup: codecSetupOf(video),
  };
}

/**
 * The H.264/HEVC profile, level and a hash of the decoder setup (SPS/PPS) as one comparable
 * string, `-` for what ffprobe did not print. Clips whose setup differs cannot share one stream
 * even when size and rate match.
 */
export function codecSetupOf(video: NonNullable<ProbeResult['video']>): string {
  return [video.profile, video.level, video.extradataHash]
    .map((value) => (value === undefined ? '-' : String(value)))
    .join('|');
}

/** The video's own length; the container's can be longer when a framing take carries longer audio. */
export function videoSecondsOf(probe: ProbeResult): number {
  const seconds = probe.video?.durationSeconds;
  return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds : probe.durationSeconds;
}

export type CopyCompatibility = { ok: true } | { ok: false; differences: string[] };

/**
 * Whether every clip can be stream-copied after the first: each property that differs from the
 * first clip is named with the offending file, for the log line that explains a re-encode.
 */
export function copyCompatibility(
  clips: readonly { file: string; profile: VideoProfile }[],
): CopyCompatibility {
  const first = clips[0];
  if (!first) return { ok: true };
  const differences: string[] = [];
  for (const clip of clips.slice(1)) {
    for (const field of COMPARED) {
      if (clip.profile[field] === first.profile[field]) continue;
      differences.push(
        field === 'codecSetup'
          ? `${clip.file}: encoder setup (profile, level or SPS/PPS) differs from ${first.file}`
          : `${clip.file}: ${field} ${clip.profile[field]} differs from ${first.file} (${first.profile[field]})`,
      );
    }
  }
  return differences.length === 0 ? { ok: true } : { ok: false, differences };
}

/** Encoder for re-encoding to a codec; anything unusual falls back to H.264, which every player decodes. */
export function encoderFor(codec: string): { encoder: string; args: string[] } {
  if (codec === 'hevc')
    return { encoder: 'libx265', args: ['-preset', 'fast', '-crf', '22', '-tag:v', 'hvc1'] };
  return { encoder: 'libx264', args: ['-preset', 'veryfast', '-crf', '20'] };
}

/** `1/12800` → 12800: the mp4 track timescale that keeps the first clip's time base. */
export function timescaleOf(timeBase: string): number | undefined {
  const match = /^1\/(\d+)$/.exec(timeBase);
  const value = match ? Number(match[1]) : Number.NaN;
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
