export { type CreateLoggerOptions, createLogger, type Logger } from './create-logger.js';
export { redactPaths, SECRET_FIELDS, SECRET_HEADERS } from './redact-paths.js';
export { REDACTED, redactText } from './redact-text.js';
