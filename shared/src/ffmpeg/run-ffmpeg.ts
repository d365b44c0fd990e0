import { createProgressParser, type FfmpegProgress } from './create-progress-parser.js';
import { protectInputs } from './protect-inputs.js';
import { type MediaToolOptions, type MediaToolResult, runMediaTool } from './run-media-tool.js';

export interface RunFfmpegOptions extends MediaToolOptions {
  /** Called with increasing output times while ffmpeg works (adds `-progress pipe:1`, so stdout is taken). */
  onProgress?: (progress: FfmpegProgress) => void;
}

/**
 * Runs ffmpeg with `args` (everything after the program name). Adds `-hide_banner -nostdin -nostats`,
 * refuses network inputs and whitelists `file,pipe` before every `-i` (see protectInputs).
 * Resolves with the stderr tail; rejects with an FfmpegError carrying the command and the stderr tail.
 *
 * fluent-ffmpeg is not used: it is archived and no longer tracks current ffmpeg; this runner is a
 * thin typed layer over child_process.spawn with an argv array.
 */
export async function runFfmpeg(
  args: readonly string[],
  options: RunFfmpegOptions = {},
): Promise<MediaToolResult> {
  const { onProgress, ...run } = options;
  // Protect first: a refused input must fail before anything is spawned.
  const inputs = protectInputs('ffmpeg', args);
  const progress = onProgress === undefined ? [] : ['-progress', 'pipe:1'];
  const argv = ['-hide_banner', '-nostdin', '-nostats', ...progress, ...inputs];
  return runMediaTool('ffmpeg', argv, {
    ...run,
    ...(onProgress === undefined ? {} : { onStdout: createProgressParser(onProgress) }),
  });
}
