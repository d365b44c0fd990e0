import { stat } from 'node:fs/promises';
import { FfmpegError } from './FfmpegError.js';
import { type ProbeResult, parseProbeOutput } from './parseProbeOutput.js';
import { formatCommand } from './protectInputs.js';
import { runFfprobe } from './runFfprobe.js';

const PROBE_ARGS = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams'];

export interface ProbeMediaOptions {
  /** Default 30000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Reads container, duration, size and the first video/audio stream of a local media file.
 * Rejects with FfmpegError (`FFMPEG_FAILED` with ffprobe's stderr for an unreadable or missing file).
 */
export async function probeMedia(path: string, options: ProbeMediaOptions = {}): Promise<ProbeResult> {
  const { stdout, stderr } = await runFfprobe(path, PROBE_ARGS, options);
  const fileSize = await stat(path).then(
    (stats) => stats.size,
    () => undefined,
  );
  const parsed = parseProbeOutput(stdout, fileSize);
  if (parsed.ok) return parsed.probe;
  throw new FfmpegError(`cannot read the probe of ${path}: ${parsed.reason}`, {
    code: 'FFPROBE_OUTPUT_INVALID',
    tool: 'ffprobe',
    command: formatCommand('ffprobe', [...PROBE_ARGS, path]),
    stderrTail: stderr,
  });
}
