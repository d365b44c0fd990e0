import { type ProbeResult, probeMedia, runFfmpeg, runFfprobe } from '@exercise-pipeline/shared';

/** The media programs a render runs; tests and benchmarks may wrap them. */
export interface MediaRunner {
  ffmpeg(args: readonly string[], options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown>;
  probe(path: string): Promise<ProbeResult>;
  /** `profile|level|extradata hash` of the first video stream (see ClipFacts.codecSetup). */
  codecSetup(path: string): Promise<string>;
}

const SETUP_ARGS = [
  '-v',
  'error',
  '-select_streams',
  'v:0',
  '-show_data_hash',
  'sha256',
  '-show_entries',
  'stream=profile,level,extradata_hash',
  '-print_format',
  'json',
];

/** ffprobe's answer to SETUP_ARGS, reduced to one comparable string. */
export function parseCodecSetup(json: string): string {
  const parsed = JSON.parse(json) as { streams?: Record<string, unknown>[] };
  const stream = parsed.streams?.[0] ?? {};
  return [stream.profile, stream.level, stream.extradata_hash]
    .map((v) => (v === undefined ? '-' : String(v)))
    .join('|');
}

export const defaultMediaRunner: MediaRunner = {
  ffmpeg: (args, options) => runFfmpeg(args, options),
  probe: (path) => probeMedia(path),
  codecSetup: async (path) =>
    parseCodecSetup((await runFfprobe(path, SETUP_ARGS, { timeoutMs: 30_000 })).stdout),
};

/** The slice of a pino logger the composer writes to. */
export interface ComposeLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export const silentLogger: ComposeLogger = { info() {}, warn() {} };
