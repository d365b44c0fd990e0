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
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(`${file} ${problem}; ${fix}`, { code: 'BUNDLE_FILE_INVALID', ...options });
    this.file = file;
  }
}

/** ffmpeg failed, or its output did not pass the checks that run before a render is published. */
export class ComposeError extends PipelineError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'COMPOSE_FAILED', cause: options.cause });
  }
}
