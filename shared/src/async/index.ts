export { KeyLocks } from './key-locks.js';
export { runPool } from './pool.js';
export { type Backoff, backoffDelay, DEFAULT_BACKOFF, type RetryOptions, withRetry } from './retry.js';
export { finishesWithin } from './finishes-within.js';
export { SingleFlight } from './single-flight.js';
export { abortReason, sleep } from './sleep.js';
export { Slots } from './slots.js';
export {
  describeTransient,
  isRetryableError,
  RETRYABLE_ERROR_NAMES,
  RETRYABLE_NETWORK_CODES,
} from './transient-errors.js';
