import { spawn } from 'node:child_process';
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
  const { signal } = run;
  if (signal?.aborted) {
    return Promise.reject(
      new FfmpegError(`${tool} was not started: the operation was aborted`, {
        code: 'FFMPEG_ABORTED',
        tool,
        command,
        cause: signal.reason,
      }),
    );
  }

  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      cwd: run.cwd,
      stdio: ['ignore', run.onStdout === undefined ? 'ignore' : 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stderr = new TailBuffer();
    let stop: Stop | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let finished = false;

    const requestStop = (reason: Stop) => {
      if (stop !== undefined) return;
      stop = reason;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), run.killGraceMs ?? 2000);
    };
    const onAbort = () => requestStop({ reason: 'abort', cause: signal?.reason });
    const timer =
      run.timeoutMs === undefined
        ? undefined
        : setTimeout(() => requestStop({ reason: 'timeout' }), run.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (error: FfmpegError | undefined) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve({ stderr: stderr.lastLines() });
      else reject(error);
    };

    child.stderr?.setEncoding('utf8');
    const onStderrLine = run.onStderrLine;
    let partialLine = '';
    child.stderr?.on('data', (chunk: string) => {
      stderr.push(chunk);
      if (onStderrLine === undefined) return;
      const lines = (partialLine + chunk).split(/\r\n|\r|\n/);
      partialLine = lines.pop() ?? '';
      try {
        for (const line of lines) onStderrLine(line);
      } catch (error) {
        requestStop({ reason: 'callback', cause: error });
      }
    });
    child.stderr?.on('end', () => {
      if (onStderrLine === undefined || partialLine === '') return;
      try {
        onStderrLine(partialLine);
      } catch (error) {
        requestStop({ reason: 'callback', cause: error });
      }
      partialLine = '';
    });
    if (run.onStdout !== undefined) {
      const onStdout = run.onStdout;
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        try {
          onStdout(chunk);
        } catch (error) {
          requestStop({ reason: 'callback', cause: error });
        }
      });
    }

    child.on('error', (error: NodeJS.ErrnoException) => {
      // Only a failed spawn leaves no process behind; other errors (a failed kill) end in 'close'.
      if (child.pid !== undefined) return;
      const notFound = error.code === 'ENOENT';
      const message = notFound
        ? `${tool} not found on PATH — ${INSTALL_HINT}`
        : `${tool} could not be started: ${error.message}`;
      finish(
        new FfmpegError(message, {
          code: notFound ? 'FFMPEG_NOT_FOUND' : 'FFMPEG_FAILED',
          tool,
          command,
          cause: error,
        }),
      );
    });

    child.on('close', (exitCode, exitSignal) => {
      const stderrTail = stderr.lastLines(ERROR_TAIL_LINES);
      const details = { tool, command, stderrTail, exitCode, signal: exitSignal };
      if (stop?.reason === 'timeout') {
        const message = `${tool} timed out after ${run.timeoutMs} ms and was stopped${lastLine(stderrTail)}`;
        finish(new FfmpegError(message, { ...details, code: 'FFMPEG_FAILED', timedOut: true }));
      } else if (stop?.reason === 'abort') {
        finish(
          new FfmpegError(`${tool} was stopped: the operation was aborted`, {
            ...details,
            code: 'FFMPEG_ABORTED',
            cause: stop.cause,
          }),
        );
      } else if (stop?.reason === 'callback') {
        const message = `${tool} was stopped because its output handler threw: ${String(stop.cause)}`;
        finish(new FfmpegError(message, { ...details, code: 'FFMPEG_FAILED', cause: stop.cause }));
      } else if (exitCode === 0) {
        finish(undefined);
      } else {
        const how = exitCode === null ? `was killed by ${exitSignal}` : `failed with exit code ${exitCode}`;
        finish(
          new FfmpegError(`${tool} ${how}${lastLine(stderrTail)}`, { ...details, code: 'FFMPEG_FAILED' }),
        );
      }
    });
  });
}

/** ffmpeg prints the decisive reason last (e.g. `in.mp4: No such file or directory`). */
function lastLine(stderrTail: string): string {
  const last = stderrTail.split('\n').at(-1)?.trim();
  return last === undefined || last === '' ? '' : `: ${last}`;
}
