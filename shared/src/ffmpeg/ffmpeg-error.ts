import { PipelineError } from '../domain/errors.js';

/** The two programs of Debian's `ffmpeg` package that the pipeline runs. */
export type MediaTool = 'ffmpeg' | 'ffprobe';

/**
 * - `FFMPEG_FAILED`: the program ran and failed (non-zero exit, killed, or stopped by the timeout: see `timedOut`)
 * - `FFMPEG_NOT_FOUND`: the program is not installed / not on PATH
 * - `FFMPEG_INPUT_REFUSED`: an input names a protocol other than file:/pipe:; nothing was started
 * - `FFMPEG_ABORTED`: the caller's AbortSignal fired; the process was stopped
 * - `FFPROBE_OUTPUT_INVALID`: ffprobe succeeded but printed something that is not the expected JSON
 */
export type FfmpegErrorCode =
  | 'FFMPEG_FAILED'
  | 'FFMPEG_NOT_FOUND'
  | 'FFMPEG_INPUT_REFUSED'
  | 'FFMPEG_ABORTED'
  | 'FFPROBE_OUTPUT_INVALID';

export interface FfmpegErrorDetails {
  code: FfmpegErrorCode;
  tool: MediaTool;
  /** The argv joined for display (shell-style quoting, for reading only: it is never run by a shell). */
  command: string;
  /** The last lines (about 20) of the program's stderr; empty when it never ran. */
  stderrTail?: string;
  /** Exit code, or null when the process was killed by a signal or never started. */
  exitCode?: number | null;
  /** The signal that ended the process, if any. */
  signal?: NodeJS.Signals | null;
  /** True when the process was stopped because `timeoutMs` elapsed. */
  timedOut?: boolean;
  cause?: unknown;
}

/** Failure of an ffmpeg/ffprobe run, with enough context (command, stderr tail) to diagnose it from a log line. */
export class FfmpegError extends PipelineError {
  declare readonly code: FfmpegErrorCode;
  readonly tool: MediaTool;
  readonly command: string;
  readonly stderrTail: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;

  constructor(message: string, details: FfmpegErrorDetails) {
    super(message, { code: details.code, cause: details.cause });
    this.tool = details.tool;
    this.command = details.command;
    this.stderrTail = details.stderrTail ?? '';
    this.exitCode = details.exitCode ?? null;
    this.signal = details.signal ?? null;
    this.timedOut = details.timedOut ?? false;
  }
}
