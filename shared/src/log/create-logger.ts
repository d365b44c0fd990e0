import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, pino } from 'pino';
import type PinoPretty from 'pino-pretty';
import { ConfigError } from '../config/config-error.js';
import { LOG_LEVELS, type LogLevel } from '../config/environment-variables.js';
import { redactPaths } from './redact-paths.js';
import { REDACTED } from './redact-text.js';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** Component name, written as `name` on every record (e.g. `ingest-agent`). */
  name?: string;
  /** Minimum level; default LOG_LEVEL from the environment, else `info`. */
  level?: string;
  /** Where records go; default stderr (stdout is kept for `--json` output). */
  destination?: NodeJS.WritableStream;
  /** Human-readable output via pino-pretty; default: only when the destination is a TTY. */
  pretty?: boolean;
}

function resolveLevel(level: string | undefined): LogLevel {
  const raw = (level ?? process.env.LOG_LEVEL ?? '').trim();
  if (raw === '') return 'info';
  const known = LOG_LEVELS.find((candidate) => candidate === raw.toLowerCase());
  if (known !== undefined) return known;
  throw new ConfigError([
    {
      variable: 'LOG_LEVEL',
      message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`,
    },
  ]);
}

/**
 * pino-pretty and its dependencies are only for a person at a terminal; scripts and services write
 * JSON lines, so they skip its import (tens of milliseconds of every command's start-up).
 */
const requirePretty = () => createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;

function isTty(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/**
 * A pino logger writing JSON lines to stderr, with secrets (API keys, AWS secrets, credential
 * headers) replaced by `[Redacted]` wherever they appear as fields. Synchronous writes, so the last
 * lines before `process.exit` are not lost; no worker-thread transport.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const pretty = options.pretty ?? isTty(destination);
  const stream: DestinationStream = pretty
    ? requirePretty()({
        destination,
        colorize: isTty(destination),
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
      })
    : options.destination === undefined
      ? pino.destination({ dest: 2, sync: true })
      : (destination as DestinationStream);
  return pino(
    {
      ...(options.name === undefined ? {} : { name: options.name }),
      level: resolveLevel(options.level),
      redact: { paths: redactPaths(), censor: REDACTED },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}
