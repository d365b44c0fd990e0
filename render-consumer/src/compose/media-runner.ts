import { type MediaContainer, type ProbeResult, probeMedia, runFfmpeg } from '@exercise-pipeline/shared';

/** The media programs a render runs; tests and benchmarks may wrap them. */
export interface MediaRunner {
  /** Resolves with the tail of ffmpeg's stderr (where analysis filters such as ebur128 report). */
  ffmpeg(
    args: readonly string[],
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<{ stderr: string }>;
  /**
   * One ffprobe per file: streams, durations and the video's encoder setup (see codecSetupOf).
   * With `container`, the file is opened only as that container (bundle files are untrusted).
   */
  probe(path: string, options?: { container?: MediaContainer }): Promise<ProbeResult>;
}

export const defaultMediaRunner: MediaRunner = {
  ffmpeg: (args, options) => runFfmpeg(args, options),
  probe: (path, options) => probeMedia(path, options),
};

/** The slice of a pino logger the composer writes to. */
export interface ComposeLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export const silentLogger: ComposeLogger = { info() {}, warn() {} };
