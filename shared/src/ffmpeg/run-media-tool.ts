import { type ChildProcess, spawn } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { FfmpegError, type MediaTool } from './ffmpeg-error.js';
import { formatCommand } from './protect-inputs.js';
import { TailBuffer } from './tail-buffer.js';

/** Options shared by every ffmpeg/ffprobe run. */
export interface MediaToolOptions {
  /** Stop the process after this many milliseconds (FfmpegError with `timedOut`); default: no limit. */
  timeoutMs?: number;
  /** Stops the process when aborted (FfmpegError `FFMPEG_ABORTED`, `cause` = the abort reason). */
  signal?: AbortSignal;
  /** Working directory; default the current one. */
  cwd?: string;
  /** Milliseconds between SIGTERM (ffmpeg finishes its files) and SIGKILL; default 2000. */
  killGraceMs?: number;
  /**
   * Receives every complete stderr line as it arrives (analysis filters report there, and may report
   * more than the bounded tail keeps). A handler that throws stops the process like `onStdout`.
   */
  onStderrLine?: (line: string) => void;
  /**
   * Runs the process this much nicer than the agent (a nice increment, 1–19; the result at most 19),
   * for work that is only needed by a later step, so that the CPU goes first to what is waited for.
   * Set as the process starts, before ffmpeg starts its threads (they inherit it); a system that
   * refuses it runs the process at the agent's priority. Default: the agent's priority.
   */
  niceness?: number;
}

export interface MediaToolRun extends MediaToolOptions {
  /** Receives stdout as text; without it stdout is discarded. */
  onStdout?: (chunk: string) => void;
}

/** The last ~200 lines of stderr (never more is kept in memory). */
export interface MediaToolResult {
  stderr: string;
}

const ERROR_TAIL_LINES = 20;
const INSTALL_HINT = 'install it (Debian: apt-get install -y ffmpeg)';

type Stop =
  | { reason: 'timeout' }
  | { reason: 'abort'; cause: unknown }
  | { reason: 'callback'; cause: unknown };

/**
 * Spawns `tool` with an argv array (never a shell), keeps a bounded stderr tail, enforces the timeout
 * and the abort signal (SIGTERM, then SIGKILL after the grace period), and finishes only after the
 * process has exited, so no ffmpeg outlives a rejected promise.
 */
export function runMediaTool(
  tool: MediaTool,
  args: readonly string[],
  run: MediaToolRun = {},
): Promise<MediaToolResult> {
  const command = formatCommand(tool, args);
  if (run.signal?.aborted) return Promise.reject(notStartedError(tool, command, run.signal));

  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      cwd: run.cwd,
      stdio: ['ignore', run.onStdout === undefined ? 'ignore' : 'pipe', 'pipe'],
      windowsHide: true,
    });
    if (run.niceness !== undefined && child.pid !== undefined) lowerPriority(child.pid, run.niceness);
    const stderr = new TailBuffer();
    const stopper = createStopper(child, run);
    let finished = false;
    const finish = (error: FfmpegError | undefined) => {
      if (finished) return;
      finished = true;
      stopper.dispose();
      if (error === undefined) resolve({ stderr: stderr.lastLines() });
      else reject(error);
    };

    forwardStderr(child, stderr, run.onStderrLine, stopper.request);
    if (run.onStdout !== undefined) forwardStdout(child, run.onStdout, stopper.request);
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Only a failed spawn leaves no process behind; other errors (a failed kill) end in 'close'.
      if (child.pid !== undefined) return;
      finish(spawnError(tool, command, error));
    });
    child.on('close', (exitCode, exitSignal) => {
      const stderrTail = stderr.lastLines(ERROR_TAIL_LINES);
      finish(exitError({ tool, command, stderrTail, exitCode, signal: exitSignal }, stopper.reason, run));
    });
  });
}

/** Best effort: only the order of the work depends on it, never its result. */
function lowerPriority(pid: number, increment: number): void {
  try {
    setPriority(pid, Math.min(19, getPriority() + Math.max(0, Math.round(increment))));
  } catch {
    // Not permitted or not supported here: the process runs at the normal priority.
  }
}

function notStartedError(tool: MediaTool, command: string, signal: AbortSignal): FfmpegError {
  return new FfmpegError(`${tool} was not started: the operation was aborted`, {
    code: 'FFMPEG_ABORTED',
    tool,
    command,
    cause: signal.reason,
  });
}

interface Stopper {
  /** Stops the process once (SIGTERM, then SIGKILL after the grace period); later requests are ignored. */
  request(reason: Stop): void;
  /** Why the process was stopped; undefined when it ended by itself. */
  readonly reason: Stop | undefined;
  /** Clears the timers and the abort listener once the run has finished. */
  dispose(): void;
}

/** Stops the process when `run`'s timeout passes or its signal aborts, or when asked to. */
function createStopper(child: ChildProcess, run: MediaToolRun): Stopper {
  const { signal } = run;
  let reason: Stop | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const request = (why: Stop) => {
    if (reason !== undefined) return;
    reason = why;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), run.killGraceMs ?? 2000);
  };
  const onAbort = () => request({ reason: 'abort', cause: signal?.reason });
  const timer =
    run.timeoutMs === undefined ? undefined : setTimeout(() => request({ reason: 'timeout' }), run.timeoutMs);
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    request,
    get reason() {
      return reason;
    },
    dispose() {
      clearTimeout(timer);
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** Keeps stderr's tail and hands `onStderrLine` every complete line; a throwing handler stops the run. */
function forwardStderr(
  child: ChildProcess,
  stderr: TailBuffer,
  onStderrLine: ((line: string) => void) | undefined,
  stop: (reason: Stop) => void,
): void {
  child.stderr?.setEncoding('utf8');
  let partialLine = '';
  child.stderr?.on('data', (chunk: string) => {
    stderr.push(chunk);
    if (onStderrLine === undefined) return;
    const lines = (partialLine + chunk).split(/\r\n|\r|\n/);
    partialLine = lines.pop() ?? '';
    try {
      for (const line of lines) onStderrLine(line);
    } catch (error) {
      stop({ reason: 'callback', cause: error });
    }
  });
  child.stderr?.on('end', () => {
    if (onStderrLine === undefined || partialLine === '') return;
    try {
      onStderrLine(partialLine);
    } catch (error) {
      stop({ reason: 'callback', cause: error });
    }
    partialLine = '';
  });
}

/** Hands `onStdout` stdout as text; a throwing handler stops the run. */
function forwardStdout(
  child: ChildProcess,
  onStdout: (chunk: string) => void,
  stop: (reason: Stop) => void,
): void {
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    try {
      onStdout(chunk);
    } catch (error) {
      stop({ reason: 'callback', cause: error });
    }
  });
}

/** The process could not be started at all: not installed, or not runnable. */
function spawnError(tool: MediaTool, command: string, error: NodeJS.ErrnoException): FfmpegError {
  const notFound = error.code === 'ENOENT';
  const message = notFound
    ? `${tool} not found on PATH — ${INSTALL_HINT}`
    : `${tool} could not be started: ${error.message}`;
  return new FfmpegError(message, {
    code: notFound ? 'FFMPEG_NOT_FOUND' : 'FFMPEG_FAILED',
    tool,
    command,
    cause: error,
  });
}

interface ExitDetails {
  tool: MediaTool;
  command: string;
  stderrTail: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** How the process ended, as an error, or undefined for a clean exit it was not stopped before. */
function exitError(details: ExitDetails, stop: Stop | undefined, run: MediaToolRun): FfmpegError | undefined {
  const { tool, stderrTail, exitCode } = details;
  if (stop?.reason === 'timeout') {
    const message = `${tool} timed out after ${run.timeoutMs} ms and was stopped${lastLine(stderrTail)}`;
    return new FfmpegError(message, { ...details, code: 'FFMPEG_FAILED', timedOut: true });
  }
  if (stop?.reason === 'abort') {
    return new FfmpegError(`${tool} was stopped: the operation was aborted`, {
      ...details,
      code: 'FFMPEG_ABORTED',
      cause: stop.cause,
    });
  }
  if (stop?.reason === 'callback') {
    const message = `${tool} was stopped because its output handler threw: ${String(stop.cause)}`;
    return new FfmpegError(message, { ...details, code: 'FFMPEG_FAILED', cause: stop.cause });
  }
  if (exitCode === 0) return undefined;
  const how = exitCode === null ? `was killed by ${details.signal}` : `failed with exit code ${exitCode}`;
  return new FfmpegError(`${tool} ${how}${lastLine(stderrTail)}`, { ...details, code: 'FFMPEG_FAILED' });
}

/** ffmpeg prints the decisive reason last (e.g. `in.mp4: No such file or directory`). */
function lastLine(stderrTail: string): string {
  const last = stderrTail.split('\n').at(-1)?.trim();
  return last === undefined || last === '' ? '' : `: ${last}`;
}
