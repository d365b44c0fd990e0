import type { FieldIssue } from '@exercise-pipeline/shared';

export interface HttpErrorOptions {
  /** Extra response headers (`WWW-Authenticate`, `Retry-After`, `Allow` …). */
  headers?: Record<string, string>;
  /** Field-level reasons, answered as `error.reasons`. */
  reasons?: readonly FieldIssue[];
  /** Close the connection after answering (a body we refused to read may still be arriving). */
  closeConnection?: boolean;
  cause?: unknown;
}

/**
 * An answer other than success, decided by a handler. The server turns it into
 * `{"error": {"code", "message", "reasons"?}}` with `status`; `code` is stable for clients to branch on.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  readonly reasons: readonly FieldIssue[] | undefined;
  readonly closeConnection: boolean;

  constructor(status: number, code: string, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
    this.reasons = options.reasons;
    this.closeConnection = options.closeConnection ?? false;
  }
}

/** The JSON body of every error answer. */
export function errorBody(error: HttpError): {
  error: { code: string; message: string; reasons?: FieldIssue[] };
} {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.reasons
        ? { reasons: error.reasons.map((r) => ({ field: r.field, message: r.message })) }
        : {}),
    },
  };
}
