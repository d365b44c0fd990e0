import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { presentValue } from './read-variables.js';
import {
  DEFAULTS,
  describeBadValue,
  ENVIRONMENT_VARIABLES,
  type EnvironmentVariable,
  type LogLevel,
  type PublishTarget,
} from './environment-variables.js';

/** Bunny Stream settings; present whenever PUBLISH_TARGET=bunny (and whenever all three are set). */
export interface BunnyConfig {
  /** BUNNY_STREAM_LIBRARY_ID, digits only, e.g. `123456`. */
  libraryId: string;
  /** BUNNY_STREAM_API_KEY, sent as the `AccessKey` header. Secret: never log it. */
  apiKey: string;
  /** BUNNY_STREAM_CDN_HOSTNAME, e.g. `vz-abc123-456.b-cdn.net` (HLS at `https://{host}/{videoId}/playlist.m3u8`). */
  cdnHostname: string;
  /** BUNNY_STREAM_API_URL without trailing slash; default `https://video.bunnycdn.com`. */
  apiUrl: string;
  /** BUNNY_STREAM_READ_ONLY_API_KEY: verifies Bunny's webhook calls; unset → they are refused. Secret. */
  readOnlyApiKey?: string | undefined;
  /** BUNNY_STREAM_TOKEN_KEY: signs the playback URLs handed out; unset → unsigned URLs. Secret. */
  tokenKey?: string | undefined;
  /** BUNNY_STREAM_TOKEN_EXPIRY_SECONDS: how long a signed playback URL plays; default 3600. */
  tokenExpirySeconds: number;
  /** BUNNY_TUS_THRESHOLD_BYTES: files larger than this are uploaded resumably (tus); default 100 MiB. */
  tusThresholdBytes: number;
}

/** Every setting of ARCHITECTURE.md "Contract: configuration", typed and with defaults applied. */
export interface PipelineConfig {
  /** AWS_ENDPOINT_URL (emulator endpoint); unset → real AWS. */
  awsEndpointUrl?: string;
  /** AWS_REGION; default `eu-central-1`. */
  awsRegion: string;
  /** ASSETS_BUCKET. */
  assetsBucket?: string;
  /** EVENT_BUS_NAME; default `default`. */
  eventBusName: string;
  /** RENDER_QUEUE_URL. */
  renderQueueUrl?: string;
  /** RENDER_DLQ_URL. */
  renderDlqUrl?: string;
  /** AGENT_NOTICES_QUEUE_URL: the ingest agent's "Render Ready"/"Render Failed" queue; unset → no preview lines. */
  agentNoticesQueueUrl?: string;
  /** DATABASE_URL; unset → embedded PGlite under dataDir. May contain a password: never log it. */
  databaseUrl?: string;
  /** DATA_DIR; default `.data` (relative to the working directory). */
  dataDir: string;
  /** PUBLISH_TARGET; default `local`. */
  publishTarget: PublishTarget;
  bunny?: BunnyConfig;
  /** COMPOSER_PORT; default 9400. */
  composerPort: number;
  /** COMPOSER_HOST; default `127.0.0.1`. A non-loopback address needs composerApiToken. */
  composerHost: string;
  /** COMPOSER_API_TOKEN (bearer token of every route but the health checks). Secret: never log it. */
  composerApiToken?: string;
  /** STATUS_PAGE_URL without trailing slash: the status page as people reach it; unset → the listening address. */
  statusPageUrl?: string;
  /** METRICS_REQUIRE_TOKEN; default true: `/metrics` needs the token too when one is set. */
  metricsRequireToken: boolean;
  /**
   * COMPOSE_LOUDNESS; default true: each voice-over gets one gain bringing it to
   * composeLoudnessTargetLufs (true peak at most -1 dBTP). Hand-built configs may omit it.
   */
  composeLoudness?: boolean;
  /** COMPOSE_LOUDNESS_TARGET_LUFS; default -16. */
  composeLoudnessTargetLufs?: number;
  /**
   * SETTLE_SECONDS (the variable keeps its name): the consumer's quiet period, how long nothing under
   * a bundle's prefix must change before it renders without a "Bundle Synced"; default 20.
   */
  quietSeconds: number;
  /** RENDER_GRACE_SECONDS; default 604800 (7 days). */
  renderGraceSeconds: number;
  /** LOG_LEVEL; default `info`. */
  logLevel: LogLevel;
  /** AWS_CONNECT_TIMEOUT_SECONDS; default 5 (loadConfig always sets it; hand-built configs may omit it). */
  awsConnectTimeoutSeconds?: number;
  /** AWS_REQUEST_TIMEOUT_SECONDS (longest silence within one AWS request); default 60. */
  awsRequestTimeoutSeconds?: number;
}

type Parsed = { [K in EnvironmentVariable]: ReturnType<(typeof ENVIRONMENT_VARIABLES)[K]['parse']> };

const BUNNY_REQUIRED = [
  'BUNNY_STREAM_LIBRARY_ID',
  'BUNNY_STREAM_API_KEY',
  'BUNNY_STREAM_CDN_HOSTNAME',
] as const;

function variableSchema(variable: EnvironmentVariable) {
  const spec = ENVIRONMENT_VARIABLES[variable];
  return z
    .unknown()
    .transform((raw, ctx) => {
      const text = presentValue(raw);
      if (text === undefined) return undefined;
      const value = spec.parse(text);
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', message: describeBadValue(variable, text, spec) });
        return z.NEVER;
      }
      return value;
    })
    .optional();
}

// Object.fromEntries forgets which schema belongs to which key; the map above pairs them by construction.
const shape = Object.fromEntries(
  (Object.keys(ENVIRONMENT_VARIABLES) as EnvironmentVariable[]).map((name) => [name, variableSchema(name)]),
) as unknown as { [K in EnvironmentVariable]: z.ZodType<Parsed[K] | undefined> };

const environmentSchema = z
  .object(shape)
  .superRefine((env, ctx) => {
    if ((env.PUBLISH_TARGET ?? DEFAULTS.PUBLISH_TARGET) !== 'bunny') return;
    for (const name of BUNNY_REQUIRED) {
      if (env[name] !== undefined) continue;
      const expects = ENVIRONMENT_VARIABLES[name].expects;
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `${name} is required when PUBLISH_TARGET=bunny: set it to ${expects}`,
      });
    }
  })
  .transform((env): PipelineConfig => {
    const bunny =
      env.BUNNY_STREAM_LIBRARY_ID !== undefined &&
      env.BUNNY_STREAM_API_KEY !== undefined &&
      env.BUNNY_STREAM_CDN_HOSTNAME !== undefined
        ? {
            libraryId: env.BUNNY_STREAM_LIBRARY_ID,
            apiKey: env.BUNNY_STREAM_API_KEY,
            cdnHostname: env.BUNNY_STREAM_CDN_HOSTNAME,
            apiUrl: env.BUNNY_STREAM_API_URL ?? DEFAULTS.BUNNY_STREAM_API_URL,
            tokenExpirySeconds:
              env.BUNNY_STREAM_TOKEN_EXPIRY_SECONDS ?? DEFAULTS.BUNNY_STREAM_TOKEN_EXPIRY_SECONDS,
            tusThresholdBytes: env.BUNNY_TUS_THRESHOLD_BYTES ?? DEFAULTS.BUNNY_TUS_THRESHOLD_BYTES,
            ...(env.BUNNY_STREAM_TOKEN_KEY === undefined ? {} : { tokenKey: env.BUNNY_STREAM_TOKEN_KEY }),
            ...(env.BUNNY_STREAM_READ_ONLY_API_KEY === undefined
              ? {}
              : { readOnlyApiKey: env.BUNNY_STREAM_READ_ONLY_API_KEY }),
          }
        : undefined;
    return {
      ...setOnly({
        awsEndpointUrl: env.AWS_ENDPOINT_URL,
        assetsBucket: env.ASSETS_BUCKET,
        renderQueueUrl: env.RENDER_QUEUE_URL,
        renderDlqUrl: env.RENDER_DLQ_URL,
        agentNoticesQueueUrl: env.AGENT_NOTICES_QUEUE_URL,
        databaseUrl: env.DATABASE_URL,
        bunny,
        composerApiToken: env.COMPOSER_API_TOKEN,
        statusPageUrl: env.STATUS_PAGE_URL,
      }),
      awsRegion: env.AWS_REGION ?? DEFAULTS.AWS_REGION,
      eventBusName: env.EVENT_BUS_NAME ?? DEFAULTS.EVENT_BUS_NAME,
      dataDir: env.DATA_DIR ?? DEFAULTS.DATA_DIR,
      publishTarget: env.PUBLISH_TARGET ?? DEFAULTS.PUBLISH_TARGET,
      composerPort: env.COMPOSER_PORT ?? DEFAULTS.COMPOSER_PORT,
      composerHost: env.COMPOSER_HOST ?? DEFAULTS.COMPOSER_HOST,
      metricsRequireToken: env.METRICS_REQUIRE_TOKEN ?? DEFAULTS.METRICS_REQUIRE_TOKEN,
      composeLoudness: env.COMPOSE_LOUDNESS ?? DEFAULTS.COMPOSE_LOUDNESS,
      composeLoudnessTargetLufs: env.COMPOSE_LOUDNESS_TARGET_LUFS ?? DEFAULTS.COMPOSE_LOUDNESS_TARGET_LUFS,
      quietSeconds: env.SETTLE_SECONDS ?? DEFAULTS.SETTLE_SECONDS,
      renderGraceSeconds: env.RENDER_GRACE_SECONDS ?? DEFAULTS.RENDER_GRACE_SECONDS,
      logLevel: env.LOG_LEVEL ?? DEFAULTS.LOG_LEVEL,
      awsConnectTimeoutSeconds: env.AWS_CONNECT_TIMEOUT_SECONDS ?? DEFAULTS.AWS_CONNECT_TIMEOUT_SECONDS,
      awsRequestTimeoutSeconds: env.AWS_REQUEST_TIMEOUT_SECONDS ?? DEFAULTS.AWS_REQUEST_TIMEOUT_SECONDS,
    };
  });

/** The settings that are set: an unset optional setting is absent from the config, never `undefined`. */
function setOnly<T extends object>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

const ORDER = Object.keys(ENVIRONMENT_VARIABLES);

/**
 * Reads and validates every pipeline variable once. Throws a `ConfigError` whose one-line message
 * names each bad variable and what it expects (secret values are never repeated).
 * @param env default `process.env`
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  const result = environmentSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => ({ variable: String(issue.path[0]), message: issue.message }))
    .sort((a, b) => ORDER.indexOf(a.variable) - ORDER.indexOf(b.variable));
  throw new ConfigError(problems);
}
