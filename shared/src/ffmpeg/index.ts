export type { FfmpegProgress } from './create-progress-parser.js';
export { FfmpegError, type FfmpegErrorCode, type MediaTool } from './ffmpeg-error.js';
export {
  describeSniffed,
  isContainer,
  MEDIA_CONTAINERS,
  type MediaContainer,
  pinnedInputArgs,
  type SniffedKind,
  sniffContainer,
} from './media-container.js';
export type { ProbeResult } from './parse-probe-output.js';
export { type ProbeMediaOptions, probeMedia } from './probe-media.js';
export { formatCommand, inputProtocol, PROTOCOL_WHITELIST } from './protect-inputs.js';
export { type RunFfmpegOptions, runFfmpeg } from './run-ffmpeg.js';
export { type FfprobeResult, runFfprobe } from './run-ffprobe.js';
export type { MediaToolOptions, MediaToolResult } from './run-media-tool.js';
