/**
 * Retrying transient S3/EventBridge/network failures. What counts as transient is an explicit list;
 * everything else (access denied, missing bucket, a verification mismatch) fails at once, because
 * waiting cannot fix it.
 */

/** Socket-level failures seen while an endpoint is down, restarting or unreachable. */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/** AWS error names that mean "try again later" rather than "this request is wrong". */
export const RETRYABLE_ERROR_NAMES: ReadonlySet<string> = new Set([
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  retryable?: unknown;
  cause?: unknown;
  errors?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function isAbort(error: ErrorLike): boolean {
  return error.name === 'AbortError' || error.code === 'ABORT_ERR';
}

function isRetryableOne(error: ErrorLike): boolean {
  if (typeof error.code === 'string' && RETRYABLE_NETWORK_CODES.has(error.code)) return true;
  if (typeof error.name === 'string' && RETRYABLE_ERROR_NAMES.has(error.name)) return true;
  const status = error.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  // PipelineError subclasses say for themselves whether repeating can help.
  return error.retryable === true;
}

/**
 * True for a network failure, a 5xx/429 response or an AWS throttling/timeout error, looking
 * through `cause` chains and AggregateErrors (Node reports a refused multi-address connect as one).
 * Aborts are never retryable.
 */
export function isRetryableError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const candidate = current as ErrorLike;
    if (isAbort(candidate)) return false;
    if (isRetryableOne(candidate)) return true;
    pending.push(candidate.cause);
    if (Array.isArray(candidate.errors)) pending.push(...candidate.errors);
  }
  return false;
}

/** The innermost error with a message, through `cause` chains and AggregateErrors. */
function rootCause(error: unknown): ErrorLike & { message?: unknown } {
  let current = error as ErrorLike & { message?: unknown };
  for (let depth = 0; depth < 5; depth += 1) {
    const next = Array.isArray(current?.errors) ? current.errors[0] : current?.cause;
    if (typeof next !== 'object' || next === null) break;
    current = next as ErrorLike & { message?: unknown };
  }
  return current;
}

/**
 * One line for a log saying why a call is retried, in an operator's terms: a silent endpoint
 * (frozen process, hung network path) reads differently from a refused connection or a 503.
 */
export function describeTransient(error: unknown): string {
  const root = rootCause(error);
  const top = error as ErrorLike & { message?: unknown };
  const message = String(top?.message ?? root?.message ?? error).split('\n')[0] ?? '';
  if (top?.name === 'TimeoutError' || root?.name === 'TimeoutError') {
    if (/inactivity|requestTimeout/.test(message)) {
      return `no answer from the endpoint in time (it may be frozen, overloaded or cut off): ${message}`;
    }
    if (/establish a connection/.test(message)) return `cannot connect to the endpoint in time: ${message}`;
  }
  const code = typeof root?.code === 'string' ? root.code : undefined;
  if (code === 'ECONNREFUSED') return 'the endpoint refuses connections (it is down or restarting)';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'the endpoint closed the connection mid-request';
  if (code !== undefined) return `${code}: ${message}`;
  const status = top?.$metadata?.httpStatusCode;
  const name = typeof top?.name === 'string' ? top.name : 'Error';
  return typeof status === 'number' ? `${name} (HTTP ${status}): ${message}` : `${name}: ${message}`;
}
