import { FfmpegError, probeMedia, runPool } from '@exercise-pipeline/shared';
import type { MediaFile, ProbedFile } from './mediaFile.js';
import { readAllPackets } from './readAllPackets.js';

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
  /**
   * Also read every packet of each file that probes, to catch copies cut off at the end (see
   * readAllPackets); default true. Off only for files the agent wrote itself.
   */
  readPackets?: boolean;
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
 * Probes every file with ffprobe, then reads its packets through (see readAllPackets). A file
 * ffprobe cannot read becomes a ProbedFile with `error`, one whose packets stop short gets
 * `incomplete` (refusal reasons later); a missing ffmpeg or an abort is a failure of the agent and
 * is thrown. Both steps of a file share one pool slot, so at most `concurrency` processes run.
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
      if (options.readPackets === false || !(probe.durationSeconds > 0)) return { file, probe };
      const incomplete = await readAllPackets(path, {
        declaredSeconds: probe.durationSeconds,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return incomplete === undefined ? { file, probe } : { file, probe, incomplete };
    } catch (error) {
      if (!(error instanceof FfmpegError)) throw error;
      if (error.code === 'FFMPEG_NOT_FOUND' || error.code === 'FFMPEG_ABORTED') throw error;
      const detail = lastLine(error.stderrTail);
      return detail === undefined ? { file } : { file, error: detail };
    }
  });
}
