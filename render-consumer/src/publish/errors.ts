import { PipelineError } from '@exercise-pipeline/shared';

/** A publish step failed: the render exists locally but could not be made playable. */
export class PublishError extends PipelineError {
  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { code: 'PUBLISH_FAILED', retryable: options.retryable ?? false, cause: options.cause });
  }
}

/**
 * Bunny Stream answered with an error, or could not be reached. `status` is absent when no
 * HTTP answer arrived (timeout, refused connection). The message never contains the API key:
 * the client builds it from the operation, the status and Bunny's own message only.
 */
export class BunnyApiError extends PublishError {
  /** Client operation that failed, e.g. `uploadVideo`. */
  readonly operation: string;
  readonly status: number | undefined;

  constructor(
    message: string,
    options: { operation: string; status?: number; retryable?: boolean; cause?: unknown },
  ) {
    super(message, { retryable: options.retryable ?? false, cause: options.cause });
    this.operation = options.operation;
    this.status = options.status;
  }
}
