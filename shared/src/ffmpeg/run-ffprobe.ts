import { assertLocalInput, PROTOCOL_WHITELIST } from './protect-inputs.js';
import { type MediaToolOptions, runMediaTool } from './run-media-tool.js';

export interface FfprobeResult {
  stdout: string;
  /** The last ~200 lines of stderr. */
  stderr: string;
}

// ffprobe's JSON for one file is a few kilobytes; anything this large means a runaway `-show_packets`.
const MAX_STDOUT_CHARS = 16 * 1024 * 1024;

/**
 * Runs `ffprobe -hide_banner …args -protocol_whitelist file,pipe -i input` with the same protection as
 * runFfmpeg: the input must be local, nested references are held to the whitelist. The input is a
 * separate parameter because ffprobe also takes it positionally, which cannot be told apart from option
 * values without knowing every option. Default timeout 30 s.
 */
export async function runFfprobe(
  input: string,
  args: readonly string[] = [],
  options: MediaToolOptions = {},
): Promise<FfprobeResult> {
  const argv = ['-hide_banner', ...args, '-protocol_whitelist', PROTOCOL_WHITELIST, '-i', input];
  assertLocalInput('ffprobe', input, argv);
  const chunks: string[] = [];
  let length = 0;
  const { stderr } = await runMediaTool('ffprobe', argv, {
    timeoutMs: 30_000,
    ...options,
    onStdout: (chunk) => {
      length += chunk.length;
      if (length > MAX_STDOUT_CHARS)
        throw new Error(`ffprobe printed more than ${MAX_STDOUT_CHARS} characters`);
      chunks.push(chunk);
    },
  });
  return { stdout: chunks.join(''), stderr };
}
