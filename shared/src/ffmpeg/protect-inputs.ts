import { FfmpegError, type MediaTool } from './ffmpeg-error.js';

/**
 * Only local files and pipes may be read. Media files and playlists (HLS, concat lists) can point at
 * URLs, and ffmpeg would fetch them; a delivery must never make the pipeline reach the network.
 */
export const PROTOCOL_WHITELIST = 'file,pipe';

const ALLOWED_PROTOCOLS = new Set(['file', 'pipe']);

// Mirrors how ffmpeg picks a protocol (libavformat url_find_protocol): the leading run of
// letters, digits, '+', '-', '.' followed by ':' names it; `subfile,,…:` is the one comma form.
const PROTOCOL_PREFIX = /^([A-Za-z0-9+.-]*):/;
const SUBFILE_PREFIX = /^subfile,.*:/;

/** The protocol an input string names (`http`, `hls+https`, `concat` …), or undefined for a plain path. */
export function inputProtocol(input: string): string | undefined {
  const match = PROTOCOL_PREFIX.exec(input);
  if (match !== null) return match[1]!.toLowerCase();
  return SUBFILE_PREFIX.test(input) ? 'subfile' : undefined;
}

/** Throws `FFMPEG_INPUT_REFUSED` unless the input is a local path, `file:` or `pipe:`. */
export function assertLocalInput(tool: MediaTool, input: string, args: readonly string[]): void {
  const protocol = inputProtocol(input);
  if (protocol === undefined || ALLOWED_PROTOCOLS.has(protocol)) return;
  throw new FfmpegError(
    `${tool} input ${JSON.stringify(input)} uses the "${protocol}:" protocol, but only local files are read ` +
      '(file:, pipe:): download it first, or write "./name" if it is a local file whose name contains ":"',
    { code: 'FFMPEG_INPUT_REFUSED', tool, command: formatCommand(tool, args) },
  );
}

/**
 * Refuses network inputs and puts `-protocol_whitelist file,pipe` right before every `-i`, as
 * ffmpeg's per-input option, so that nested references (playlist segments) are held to it too.
 */
export function protectInputs(tool: MediaTool, args: readonly string[]): string[] {
  const protectedArgs: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    const input = args[index + 1];
    if (arg === '-i' && input !== undefined) {
      assertLocalInput(tool, input, args);
      protectedArgs.push('-protocol_whitelist', PROTOCOL_WHITELIST, '-i', input);
      index += 1;
    } else {
      protectedArgs.push(arg);
    }
  }
  return protectedArgs;
}

const SAFE_WORD = /^[\w@%+=:,./-]+$/;

/** `ffmpeg -i 'my clip.mp4' out.mp4` — for error messages and logs; the program is never run through a shell. */
export function formatCommand(tool: MediaTool, args: readonly string[]): string {
  const quoted = args.map((arg) => (SAFE_WORD.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`));
  return [tool, ...quoted].join(' ');
}
