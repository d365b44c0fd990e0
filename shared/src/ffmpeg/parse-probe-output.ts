import { z } from 'zod';

/** What the pipeline needs to know about a media file (from `ffprobe -show_format -show_streams`). */
export interface ProbeResult {
  /** Container, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `mp3`. */
  formatName: string;
  /** Container duration; 0 when ffprobe reports none (e.g. a still image). */
  durationSeconds: number;
  sizeBytes: number;
  /** The first real video stream (cover art of an mp3 is ignored). */
  video?: {
    codec: string;
    width: number;
    height: number;
    pixelFormat: string;
    /** `r_frame_rate` as ffprobe prints it, e.g. `25/1` or `30000/1001`. */
    frameRate: string;
    /** frameRate as a number, rounded to 3 decimals (29.97). */
    fps: number;
    /**
     * `avg_frame_rate` (frames divided by duration), e.g. `25/1`; differs from frameRate when frames
     * do not come at one steady rate (variable frame rate). Absent when ffprobe prints none.
     */
    avgFrameRate?: string;
    /**
     * Degrees the picture is meant to be turned when shown (display matrix side data, or the older
     * `rotate` tag); absent or 0 when upright.
     */
    rotation?: number;
    /** e.g. `1/12800`. */
    timeBase: string;
    durationSeconds?: number;
    /** Codec profile as ffprobe names it (`High`, `Main`); absent when ffprobe prints none. */
    profile?: string;
    /** Codec level as ffprobe prints it (H.264: 40 for 4.0); absent when unknown. */
    level?: number;
    /**
     * `SHA256:<hex>` of the decoder setup (H.264/HEVC: SPS/PPS); present when the probe asked for
     * data hashes (probeMedia does) and the stream has extradata.
     */
    extradataHash?: string;
  };
  audio?: {
    codec: string;
    sampleRate: number;
    channels: number;
    durationSeconds?: number;
  };
}

const streamSchema = z.object({
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  pix_fmt: z.string().optional(),
  r_frame_rate: z.string().optional(),
  avg_frame_rate: z.string().optional().catch(undefined),
  // Informational: a tag or side data ffprobe prints differently never makes the probe unreadable.
  tags: z.record(z.string(), z.unknown()).optional().catch(undefined),
  side_data_list: z
    .array(z.object({ rotation: z.number().optional().catch(undefined) }))
    .optional()
    .catch(undefined),
  time_base: z.string().optional(),
  duration: z.string().optional(),
  sample_rate: z.string().optional(),
  channels: z.number().optional(),
  profile: z.string().optional(),
  level: z.number().optional(),
  extradata_hash: z.string().optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).optional(),
});

const probeSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z.object({
    format_name: z.string(),
    duration: z.string().optional(),
    size: z.string().optional(),
  }),
});

type Stream = z.infer<typeof streamSchema>;

/** A number ffprobe printed as text (`"1.000000"`); ffprobe writes `N/A` or leaves the key out when unknown. */
function numberOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : undefined;
}

/** `30000/1001` → 29.97; undefined for `0/0`. */
export function rationalToNumber(rational: string): number | undefined {
  const [numerator, denominator] = rational.split('/').map(Number);
  if (numerator === undefined || !Number.isFinite(numerator)) return undefined;
  if (denominator === undefined) return numerator;
  if (!Number.isFinite(denominator) || denominator === 0) return undefined;
  return Math.round((numerator / denominator) * 1000) / 1000;
}

/** The display matrix's rotation, else the `rotate` tag; undefined when neither says anything. */
function rotationOf(stream: Stream): number | undefined {
  const matrix = stream.side_data_list?.find((side) => typeof side.rotation === 'number');
  if (matrix?.rotation !== undefined) return matrix.rotation;
  const tag = stream.tags?.rotate;
  return typeof tag === 'string' ? numberOf(tag) : undefined;
}

function video(stream: Stream): NonNullable<ProbeResult['video']> {
  const frameRate = stream.r_frame_rate ?? '0/0';
  const rotation = rotationOf(stream);
  const setup = {
    ...(stream.avg_frame_rate !== undefined ? { avgFrameRate: stream.avg_frame_rate } : {}),
    ...(rotation !== undefined && rotation !== 0 ? { rotation } : {}),
    ...(stream.profile !== undefined ? { profile: stream.profile } : {}),
    ...(stream.level !== undefined ? { level: stream.level } : {}),
    ...(stream.extradata_hash !== undefined ? { extradataHash: stream.extradata_hash } : {}),
  };
  return {
    codec: stream.codec_name ?? 'unknown',
    width: stream.width ?? 0,
    height: stream.height ?? 0,
    pixelFormat: stream.pix_fmt ?? 'unknown',
    frameRate,
    fps: rationalToNumber(frameRate) ?? 0,
    timeBase: stream.time_base ?? '',
    ...durationOf(stream),
    ...setup,
  };
}

function audio(stream: Stream): NonNullable<ProbeResult['audio']> {
  return {
    codec: stream.codec_name ?? 'unknown',
    sampleRate: numberOf(stream.sample_rate) ?? 0,
    channels: stream.channels ?? 0,
    ...durationOf(stream),
  };
}

/** A stream's own duration, absent when ffprobe does not report one. */
function durationOf(stream: Stream): { durationSeconds?: number } {
  const durationSeconds = numberOf(stream.duration);
  return durationSeconds === undefined ? {} : { durationSeconds };
}

/**
 * Turns ffprobe's JSON text into a ProbeResult, or returns the reason it cannot.
 * @param fileSize used when the container does not report its size
 */
export function parseProbeOutput(
  json: string,
  fileSize?: number,
): { ok: true; probe: ProbeResult } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'ffprobe did not print JSON' };
  }
  const parsed = probeSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `ffprobe JSON lacks ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    };
  }
  const { streams, format } = parsed.data;
  const videoStream = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audioStream = streams.find((s) => s.codec_type === 'audio');
  const streamDurations = streams.map((s) => numberOf(s.duration) ?? 0);
  const probe: ProbeResult = {
    formatName: format.format_name,
    durationSeconds: numberOf(format.duration) ?? Math.max(0, ...streamDurations),
    sizeBytes: numberOf(format.size) ?? fileSize ?? 0,
  };
  if (videoStream !== undefined) probe.video = video(videoStream);
  if (audioStream !== undefined) probe.audio = audio(audioStream);
  return { ok: true, probe };
}
