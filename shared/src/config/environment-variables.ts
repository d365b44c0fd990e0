/**
 * The environment variables of ARCHITECTURE.md ("Contract: configuration"): for each one, what it
 * expects (quoted in error messages), its default, whether its value is secret (never echoed), and
 * a pure parser that returns the typed value or `undefined` when the text is not acceptable.
 */
export interface VariableSpec<T> {
  /** Completes "NAME must be …", e.g. `a TCP port 1-65535`. */
  expects: string;
  /** Secrets (keys, tokens, URLs that may hold a password) are never repeated in an error. */
  secret?: boolean;
  parse: (raw: string) => T | undefined;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const PUBLISH_TARGETS = ['local', 'bunny'] as const;
export type PublishTarget = (typeof PUBLISH_TARGETS)[number];

const HOST_LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const HOST_WITH_PORT = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*(?::\\d{1,5})?$`, 'i');
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4_LIKE = /^\d+\.\d+\.\d+\.\d+$/;
const AWS_REGION = /^[a-z]{2,}(?:-[a-z0-9]+)+$/;
// Event bus name or ARN; the ARN form contains colons and a slash.
const EVENT_BUS = /^[\w./:-]{1,1600}$/;
const NO_WHITESPACE = /^\S+$/;
const DIGITS = /^\d+$/;
const DECIMAL = /^\d+(?:\.\d+)?$/;

function parseUrl(raw: string, protocols: readonly string[]): URL | undefined {
  if (!URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  return protocols.includes(url.protocol) && url.host !== '' ? url : undefined;
}

function httpUrl(raw: string): string | undefined {
  return parseUrl(raw, ['http:', 'https:']) === undefined ? undefined : raw;
}

/** Base URLs are joined with paths later (`${apiUrl}/library/…`), so a trailing slash is dropped. */
function baseUrl(raw: string): string | undefined {
  return httpUrl(raw)?.replace(/\/+$/, '');
}

function matching(pattern: RegExp) {
  return (raw: string): string | undefined => (pattern.test(raw) ? raw : undefined);
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string): T | undefined => values.find((value) => value === raw.toLowerCase());
}

function seconds(raw: string): number | undefined {
  return DECIMAL.test(raw) ? Number(raw) : undefined;
}

/** A loudness target in LUFS: a plain decimal from -40 to -5 (streaming platforms use -14 to -24). */
function loudnessLufs(raw: string): number | undefined {
  if (!/^[+-]?\d{1,2}(?:\.\d{1,3})?$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= -40 && value <= -5 ? value : undefined;
}

function positiveSeconds(raw: string): number | undefined {
  const value = seconds(raw);
  return value !== undefined && value > 0 ? value : undefined;
}

function port(raw: string): number | undefined {
  if (!DIGITS.test(raw)) return undefined;
  const value = Number(raw);
  return value >= 1 && value <= 65535 ? value : undefined;
}

/** A host name, an IPv4 address or an IPv6 address (without brackets), as `listen()` takes it. */
function listenHost(raw: string): string | undefined {
  if (HOST_WITH_PORT.test(raw) && !raw.includes(':')) return raw;
  return /^[0-9a-f:.]+$/i.test(raw) && raw.includes(':') ? raw : undefined;
}

function flag(raw: string): boolean | undefined {
  const value = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  return undefined;
}

function bucketName(raw: string): string | undefined {
  return BUCKET_NAME.test(raw) && !raw.includes('..') && !IPV4_LIKE.test(raw) ? raw : undefined;
}

export const ENVIRONMENT_VARIABLES = {
  AWS_ENDPOINT_URL: {
    expects: 'an http(s) URL of an S3/SQS/EventBridge-compatible endpoint, e.g. http://127.0.0.1:5000',
    parse: httpUrl,
  },
  AWS_REGION: { expects: 'an AWS region such as eu-central-1', parse: matching(AWS_REGION) },
  ASSETS_BUCKET: {
    expects: 'an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens), e.g. exercise-assets',
    parse: bucketName,
  },
  EVENT_BUS_NAME: { expects: 'an EventBridge bus name or ARN, e.g. default', parse: matching(EVENT_BUS) },
  RENDER_QUEUE_URL: { expects: 'the http(s) URL of the exercise-renders SQS queue', parse: httpUrl },
  RENDER_DLQ_URL: { expects: 'the http(s) URL of the exercise-renders-dlq SQS queue', parse: httpUrl },
  AGENT_NOTICES_QUEUE_URL: {
    expects: 'the http(s) URL of the exercise-agent-notices SQS queue',
    parse: httpUrl,
  },
  DATABASE_URL: {
    expects: 'a postgres:// or postgresql:// connection URL (unset to use the embedded PGlite database)',
    secret: true,
    parse: (raw: string) => (parseUrl(raw, ['postgres:', 'postgresql:']) === undefined ? undefined : raw),
  },
  DATA_DIR: { expects: 'a directory path, e.g. .data', parse: (raw: string) => raw },
  PUBLISH_TARGET: { expects: 'one of local, bunny', parse: oneOf(PUBLISH_TARGETS) },
  BUNNY_STREAM_LIBRARY_ID: {
    expects: 'the numeric Bunny Stream library id, e.g. 123456',
    parse: matching(DIGITS),
  },
  BUNNY_STREAM_API_KEY: {
    expects: "the library's Stream API key (one token without spaces)",
    secret: true,
    parse: matching(NO_WHITESPACE),
  },
  BUNNY_STREAM_CDN_HOSTNAME: {
    expects: 'a host name without scheme or path, e.g. vz-abc123-456.b-cdn.net',
    parse: matching(HOST_WITH_PORT),
  },
  BUNNY_STREAM_API_URL: { expects: 'an http(s) URL, e.g. https://video.bunnycdn.com', parse: baseUrl },
  BUNNY_STREAM_TOKEN_KEY: {
    expects: "the pull zone's URL token authentication key (one token without spaces)",
    secret: true,
    parse: matching(NO_WHITESPACE),
  },
  BUNNY_STREAM_TOKEN_EXPIRY_SECONDS: {
    expects: 'whole seconds a signed playback URL stays valid, 60 or more, e.g. 3600',
    parse: (raw: string) => (DIGITS.test(raw) && Number(raw) >= 60 ? Number(raw) : undefined),
  },
  BUNNY_TUS_THRESHOLD_BYTES: {
    expects: 'a size in bytes above which uploads to Bunny are resumable (tus), e.g. 104857600',
    parse: (raw: string) => (DIGITS.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : undefined),
  },
  BUNNY_STREAM_READ_ONLY_API_KEY: {
    expects: "the library's read-only API key, which signs Bunny's webhook calls (one token without spaces)",
    secret: true,
    parse: matching(NO_WHITESPACE),
  },
  COMPOSER_PORT: { expects: 'a TCP port 1-65535', parse: port },
  COMPOSER_HOST: {
    expects: 'the address the HTTP server listens on, e.g. 127.0.0.1, 0.0.0.0 or ::1',
    parse: listenHost,
  },
  COMPOSER_API_TOKEN: {
    expects: 'a bearer token without spaces',
    secret: true,
    parse: matching(NO_WHITESPACE),
  },
  STATUS_PAGE_URL: { expects: 'an http(s) URL, e.g. https://renders.example.org', parse: baseUrl },
  METRICS_REQUIRE_TOKEN: {
    expects: 'true or false (whether /metrics needs COMPOSER_API_TOKEN when one is set)',
    parse: flag,
  },
  COMPOSE_LOUDNESS: {
    expects: 'on or off (whether renders bring every voice-over to COMPOSE_LOUDNESS_TARGET_LUFS)',
    parse: flag,
  },
  COMPOSE_LOUDNESS_TARGET_LUFS: {
    expects: 'an integrated loudness in LUFS from -40 to -5, e.g. -16',
    parse: loudnessLufs,
  },
  SETTLE_SECONDS: { expects: 'a number of seconds >= 0, e.g. 20', parse: seconds },
  RENDER_GRACE_SECONDS: { expects: 'a number of seconds >= 0, e.g. 604800', parse: seconds },
  LOG_LEVEL: { expects: `one of ${LOG_LEVELS.join(', ')}`, parse: oneOf(LOG_LEVELS) },
  AWS_CONNECT_TIMEOUT_SECONDS: { expects: 'a number of seconds > 0, e.g. 5', parse: positiveSeconds },
  AWS_REQUEST_TIMEOUT_SECONDS: { expects: 'a number of seconds > 0, e.g. 60', parse: positiveSeconds },
} as const satisfies Record<string, VariableSpec<unknown>>;

export type EnvironmentVariable = keyof typeof ENVIRONMENT_VARIABLES;

/** Defaults from ARCHITECTURE.md; variables without one are optional unless a program requires them. */
export const DEFAULTS = {
  AWS_REGION: 'eu-central-1',
  EVENT_BUS_NAME: 'default',
  DATA_DIR: '.data',
  PUBLISH_TARGET: 'local',
  BUNNY_STREAM_API_URL: 'https://video.bunnycdn.com',
  BUNNY_STREAM_TOKEN_EXPIRY_SECONDS: 3600,
  BUNNY_TUS_THRESHOLD_BYTES: 104_857_600,
  COMPOSER_PORT: 9400,
  COMPOSER_HOST: '127.0.0.1',
  METRICS_REQUIRE_TOKEN: true,
  COMPOSE_LOUDNESS: true,
  COMPOSE_LOUDNESS_TARGET_LUFS: -16,
  SETTLE_SECONDS: 20,
  RENDER_GRACE_SECONDS: 604800,
  LOG_LEVEL: 'info',
  AWS_CONNECT_TIMEOUT_SECONDS: 5,
  AWS_REQUEST_TIMEOUT_SECONDS: 60,
} as const;

/** `NAME must be EXPECTS, got "value"` — the value is shortened, and left out for secrets. */
export function describeBadValue(variable: string, raw: string, spec: VariableSpec<unknown>): string {
  if (spec.secret === true) return `${variable} must be ${spec.expects} (value not shown)`;
  const shown = raw.length > 60 ? `${raw.slice(0, 57)}...` : raw;
  return `${variable} must be ${spec.expects}, got ${JSON.stringify(shown)}`;
}

/** A parser of whole numbers from `min` to `max`, for variables such as CONSUMER_CONCURRENCY. */
export function wholeNumberIn(min: number, max: number): (raw: string) => number | undefined {
  return (raw) => {
    if (!DIGITS.test(raw)) return undefined;
    const value = Number(raw);
    return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
  };
}
