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
   * Filled with the times of the first video stream's keyframe packets, in the seconds a decode
   * reports: a `framecrc` of its packets (no decoding) goes to stderr beside the copy. The picture
   * check plans with it (see checkPicture).
   */
  keyframeTimes?: number[];
}

/** framecrc's time base line: `#tb 0: 1/12800`. */
const FRAMECRC_TIME_BASE = /^#tb 0: (\d+)\/(\d+)$/;
/** framecrc's line of a keyframe packet (`0, dts, pts, duration, size, 0xcrc`, no `F=` flags). */
const FRAMECRC_KEY = /^0,\s*-?\d+,\s*(-?\d+),\s*-?\d+,\s*\d+,\s*0x[0-9a-f]+$/;
/** Any line framecrc writes. */
const FRAMECRC_LINE = /^(?:#[a-z_]+ 0:|#software:|0,\s*-?\d+,)/;

/** The framecrc output's arguments and a reader of its lines, filling `times`. */
function keyframeTimesOutput(times: number[]) {
  let timeBase: number | undefined;
  return {
    outputArgs: ['-map', '0:v:0?', '-c', 'copy', '-flush_packets', '1', '-f', 'framecrc', 'pipe:2'],
    /** Takes a framecrc line; false for any other line. */
    read(line: string): boolean {
      if (!FRAMECRC_LINE.test(line)) return false;
      const base = FRAMECRC_TIME_BASE.exec(line);
      if (base !== null) timeBase = Number(base[1]) / Number(base[2]);
      const key = FRAMECRC_KEY.exec(line);
      if (key !== null && timeBase !== undefined) times.push(Number(key[1]) * timeBase);
      return true;
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
  const keyframes =
    options.keyframeTimes === undefined ? undefined : keyframeTimesOutput(options.keyframeTimes);
  // The analysis filters report at info level; `level+` tags each line so warnings stay apart.
  const logLevel = analysis === undefined ? 'warning' : 'level+info';
  const readLine =
    analysis === undefined && keyframes === undefined
      ? undefined
      : (line: string) => {
          if (keyframes?.read(line) !== true) analysis?.parser.line(line);
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
        ...(keyframes?.outputArgs ?? []),
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
