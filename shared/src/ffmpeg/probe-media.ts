import { stat } from 'node:fs/promises';
import { FfmpegError } from './ffmpeg-error.js';
import { type MediaContainer, pinnedInputArgs } from './media-container.js';
import { type ProbeResult, parseProbeOutput } from './parse-probe-output.js';
import { formatCommand } from './protect-inputs.js';
import { runFfprobe } from './run-ffprobe.js';

// The data hash adds `extradata_hash` (the SPS/PPS of H.264/HEVC) to each stream, so one ffprobe
// answers whether clips can share a stream; hashing a few dozen bytes costs nothing measurable.
const PROBE_ARGS = [
  '-v',
  'error',
  '-print_format',
  'json',
  '-show_format',
  '-show_streams',
  '-show_data_hash',
  'sha256',
];

export interface ProbeMediaOptions {
  /** Default 30000. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Open the file only as this container (`-f` and `-format_whitelist`), never as whatever its bytes
   * claim to be; for untrusted files. Default: ffprobe detects the format.
   */
  container?: MediaContainer;
}

/**
 * Reads container, duration, size and the first video/audio stream of a local media file (for the
 * video also profile, level and a hash of its decoder setup).
 * Rejects with FfmpegError (`FFMPEG_FAILED` with ffprobe's stderr for an unreadable or missing file).
 */
export async function probeMedia(path: string, options: ProbeMediaOptions = {}): Promise<ProbeResult> {
  const { container, ...run } = options;
  const args = container === undefined ? PROBE_ARGS : [...PROBE_ARGS, ...pinnedInputArgs(container)];
  const { stdout, stderr } = await runFfprobe(path, args, run);
  const fileSize = await stat(path).then(
    (stats) => stats.size,
    () => undefined,
  );
  const parsed = parseProbeOutput(stdout, fileSize);
  if (parsed.ok) return parsed.probe;
  throw new FfmpegError(`cannot read the probe of ${path}: ${parsed.reason}`, {
    code: 'FFPROBE_OUTPUT_INVALID',
    tool: 'ffprobe',
    command: formatCommand('ffprobe', [...args, path]),
    stderrTail: stderr,
  });
}
