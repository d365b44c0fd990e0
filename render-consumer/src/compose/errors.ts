import { PipelineError } from '@exercise-pipeline/shared';

/**
 * A bundle file the render needs is missing, unreadable or not the media its name promises.
 * `file` is what an operator can look up: the S3 key or the local path.
 */
export class BundleFileError extends PipelineError {
  readonly file: string;

  constructor(
    file: string,
    problem: string,
    fix: string,
    options: { cause?: unknown; retryable?: boolean; code?: string } = {},
  ) {
    super(`${file} ${problem}; ${fix}`, { ...options, code: options.code ?? 'BUNDLE_FILE_INVALID' });
    this.file = file;
  }
}

/**
 * Code of a bundle file whose real container is not the one its name promises (a playlist or a
 * script named `….mp4`, say): retrying cannot fix it, only a new delivery can.
 */
export const MEDIA_CONTAINER_REFUSED = 'MEDIA_CONTAINER_REFUSED';

/** ffmpeg failed, or its output did not pass the checks that run before a render is published. */
export class ComposeError extends PipelineError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'COMPOSE_FAILED', cause: options.cause });
  }
}
