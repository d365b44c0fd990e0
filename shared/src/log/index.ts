export { type CreateLoggerOptions, createLogger, type Logger } from './createLogger.js';
export { redactPaths, SECRET_FIELDS, SECRET_HEADERS } from './redactPaths.js';
export { REDACTED, redactText } from './redactText.js';
