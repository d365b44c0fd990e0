import { FfmpegError, runFfmpeg } from '@exercise-pipeline/shared';
import type { AnalysisParser } from '../qc/qc-graph.js';

export interface ReadAllPacketsOptions {
  /**
   * The container's duration as ffprobe reported it. ffprobe takes it from the header (an mp4's
   * index, an mp3's Xing/Info frame), so it stays the full length when the tail of the file is gone.
   */
  declaredSeconds: number;
  /** Input options placed before `-i`, such as the pinned container (pinnedInputFor). */
  inputArgs?: readonly string[];
  signal?: AbortSignal;
  /** Default 10 minutes: a copy runs at disk speed, and a NAS share may be slow. */
  timeoutMs?: number;
  /**
   * The picture and sound check, done in the same run: its outputs (qcOutputArgs, or the picture's
   * keyframe pass) decode the file beside the packet copy, and its parser reads what the filters print. The file is read once.
   */
  analysis?: { outputArgs: readonly string[]; parser: AnalysisParser };
  /**
   * Filled with what the first video stream's packets tell without decoding (a `framecrc` of them
   * goes to stderr beside the copy): the picture check plans with it (see checkPicture).
   */
  videoPackets?: VideoPackets;
}

/** The first video stream's packets as the packet read lists them (framecrc, nothing decoded). */
export interface VideoPackets {
  /** Times of its keyframe packets, in the seconds a decode reports, increasing. */
  keyframeTimes: number[];
  /**
   * The shortest distance in seconds between the times of two of its packets: at a constant frame
   * rate one frame. 0 when it has fewer than two.
   */
  frameSpacing: number;
}

/** A VideoPackets for readAllPackets to fill. */
export function emptyVideoPackets(): VideoPackets {
  return { keyframeTimes: [], frameSpacing: 0 };
}

/** framecrc's time base line: `#tb 0: 1/12800`. */
const FRAMECRC_TIME_BASE = /^#tb 0: (\d+)\/(\d+)$/;
/**
 * framecrc's line of a packet: `0, dts, pts, duration, size, 0xcrc`, then `, F=0x…` when its flags
 * are other than "keyframe" alone, and `, S=…` when it carries side data.
 */
const FRAMECRC_PACKET = /^0,\s*-?\d+,\s*(-?\d+),\s*-?\d+,\s*\d+,\s*0x[0-9a-f]+(,.*)?$/;
const NOT_KEYFRAME_ALONE = /\bF=0x/;
const NO_PTS_BELOW = -(2 ** 62);
/** Any line framecrc writes. */
const FRAMECRC_LINE = /^(?:#[a-z_]+ 0:|#software:|0,\s*-?\d+,)/;

/** The shortest distance between two of these times (in any order); 0 for fewer than two. */
export function shortestSpacing(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let shortest = Number.POSITIVE_INFINITY;
  for (let index = 1; index < sorted.length; index += 1) {
    shortest = Math.min(shortest, sorted[index]! - sorted[index - 1]!);
  }
  return Number.isFinite(shortest) ? shortest : 0;
}

/** The framecrc output's arguments, a reader of its lines and the end of the read, filling `packets`. */
function videoPacketsOutput(packets: VideoPackets) {
  let timeBase: number | undefined;
  // Packet times in the stream's time base (integers), keyframes and others.
  const times: number[] = [];
  return {
    outputArgs: ['-map', '0:v:0?', '-c', 'copy', '-flush_packets', '1', '-f', 'framecrc', 'pipe:2'],
    /** Takes a framecrc line; false for any other line. */
    read(line: string): boolean {
      if (!FRAMECRC_LINE.test(line)) return false;
      const base = FRAMECRC_TIME_BASE.exec(line);
      if (base !== null) timeBase = Number(base[1]) / Number(base[2]);
      const packet = FRAMECRC_PACKET.exec(line);
      const pts = Number(packet?.[1]);
      // A packet without a time (NOPTS, the lowest int64) tells nothing of where frames are.
      if (packet !== null && timeBase !== undefined && pts > NO_PTS_BELOW) {
        times.push(pts);
        if (!NOT_KEYFRAME_ALONE.test(packet[2] ?? '')) packets.keyframeTimes.push(pts * timeBase);
      }
      return true;
    },
    finish(): void {
      packets.frameSpacing = timeBase === undefined ? 0 : shortestSpacing(times) * timeBase;
    },
  };
}

/** Errors that are about the agent (no ffmpeg, an abort), never about the file. */
const AGENT_PROBLEMS = new Set(['FFMPEG_NOT_FOUND', 'FFMPEG_ABORTED', 'FFMPEG_INPUT_REFUSED']);

/** ffmpeg's own admission that the header's duration is a guess (CBR mp3 without a Xing frame). */
const ESTIMATED_DURATION = /Estimating duration from bitrate/i;

/**
 * Media missing at the end of the file beyond this is a cut-off copy, not rounding: packet
 * timestamps and header durations differ by a frame or an encoder delay (tens of milliseconds).
 */
export function missingTail(declaredSeconds: number, readSeconds: number): boolean {
  return declaredSeconds - readSeconds > Math.max(0.5, declaredSeconds * 0.02);
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !ESTIMATED_DURATION.test(line) && !FRAMECRC_LINE.test(line));
  // The path is named by the caller already; repeating it only makes the reason longer.
  return (lines.at(-1) ?? '').replace(/^.*?:\s+(?=[A-Za-z])/, '');
}

/**
 * Reads every audio and video packet of a local file without decoding (`-c copy` into the null
 * muxer: disk speed, a little CPU). ffprobe alone trusts the header: a fast-start mp4 (index at the
 * front, as cameras, Premiere and HandBrake write it) or an mp3 with a Xing frame still reports its
 * full length after the copy stopped half-way. Here a cut-off file fails in one of two ways: the
 * demuxer flags a packet that runs past the end of the file (`-xerror` makes that fatal), or the
 * packets simply end well before the declared duration.
 *
 * Resolves with ffmpeg's complaint when the file is incomplete or damaged, undefined when it reads
 * to its end; rejects when the agent itself cannot run ffmpeg (missing, aborted).
 */
export async function readAllPackets(
  path: string,
  options: ReadAllPacketsOptions,
): Promise<string | undefined> {
  let readSeconds = 0;
  let stderr: string;
  const { analysis } = options;
  const packetList =
    options.videoPackets === undefined ? undefined : videoPacketsOutput(options.videoPackets);
  // The analysis filters report at info level; `level+` tags each line so warnings stay apart.
  const logLevel = analysis === undefined ? 'warning' : 'level+info';
  const readLine =
    analysis === undefined && packetList === undefined
      ? undefined
      : (line: string) => {
          if (packetList?.read(line) !== true) analysis?.parser.line(line);
        };
  try {
    const run = await runFfmpeg(
      [
        '-v',
        logLevel,
        '-xerror',
        ...(options.inputArgs ?? []),
        '-i',
        path,
        '-map',
        '0:v?',
        '-map',
        '0:a?',
        '-c',
        'copy',
        '-f',
        'null',
        '-',
        ...(analysis?.outputArgs ?? []),
        ...(packetList?.outputArgs ?? []),
      ],
      {
        timeoutMs: options.timeoutMs ?? 600_000,
        ...(readLine ? { onStderrLine: readLine } : {}),
        onProgress: (progress) => {
          readSeconds = Math.max(readSeconds, progress.outTimeSeconds);
        },
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    packetList?.finish();
    stderr = analysis === undefined ? run.stderr : analysis.parser.problems.join('\n');
  } catch (error) {
    if (!(error instanceof FfmpegError) || AGENT_PROBLEMS.has(error.code)) throw error;
    if (error.timedOut) throw error;
    const detail = lastLine(analysis === undefined ? error.stderrTail : analysis.parser.problems.join('\n'));
    return detail === '' ? 'ffmpeg cannot read it to the end' : detail;
  }
  if (ESTIMATED_DURATION.test(stderr)) return undefined;
  if (!missingTail(options.declaredSeconds, readSeconds)) return undefined;
  return `it holds ${readSeconds.toFixed(1)} s of its ${options.declaredSeconds.toFixed(1)} s`;
}
