export type { FfmpegProgress } from './createProgressParser.js';
export { FfmpegError, type FfmpegErrorCode, type MediaTool } from './FfmpegError.js';
export {
  describeSniffed,
  isContainer,
  MEDIA_CONTAINERS,
  type MediaContainer,
  pinnedInputArgs,
  type SniffedKind,
  sniffContainer,
} from './mediaContainer.js';
export type { ProbeResult } from './parseProbeOutput.js';
export { type ProbeMediaOptions, probeMedia } from './probeMedia.js';
export { formatCommand, inputProtocol, PROTOCOL_WHITELIST } from './protectInputs.js';
export { type RunFfmpegOptions, runFfmpeg } from './runFfmpeg.js';
export { type FfprobeResult, runFfprobe } from './runFfprobe.js';
export type { MediaToolOptions, MediaToolResult } from './runMediaTool.js';
