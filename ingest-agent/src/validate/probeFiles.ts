import { FfmpegError, probeMedia } from '@exercise-pipeline/shared';
import { runPool } from '../sync/runPool.js';
import type { MediaFile, ProbedFile } from './mediaFile.js';

export interface ProbeTarget {
  file: MediaFile;
  /** Absolute path of the bytes to probe. */
  path: string;
}

export interface ProbeFilesOptions {
  /** ffprobe processes at once; default 2 (the agent often runs on a small NAS). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Per file; default 30 s. */
  timeoutMs?: number;
}

/** The last non-empty stderr line: ffprobe puts the reason there (`moov atom not found`). */
function lastLine(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const line = lines.at(-1);
  // The path is already named by the refusal; repeating it only makes the line longer.
  return line?.replace(/^.*?:\s+(?=[A-Za-z])/, '');
}

/**
 * Probes every file with ffprobe. A file ffprobe cannot read becomes a ProbedFile with `error` (a
 * refusal reason later); a missing ffprobe or an abort is a failure of the agent and is thrown.
 */
export async function probeFiles(
  targets: readonly ProbeTarget[],
  options: ProbeFilesOptions = {},
): Promise<ProbedFile[]> {
  return runPool(targets, options.concurrency ?? 2, async ({ file, path }) => {
    try {
      const probe = await probeMedia(path, {
        timeoutMs: options.timeoutMs ?? 30_000,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return { file, probe };
    } catch (error) {
      if (!(error instanceof FfmpegError)) throw error;
      if (error.code === 'FFMPEG_NOT_FOUND' || error.code === 'FFMPEG_ABORTED') throw error;
      const detail = lastLine(error.stderrTail);
      return detail === undefined ? { file } : { file, error: detail };
    }
  });
}
