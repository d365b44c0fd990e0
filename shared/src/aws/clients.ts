import { createRequire } from 'node:module';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * The SDK clients take a few hundred milliseconds to import and every importer of this package
 * would pay for them, including the commands that never talk to AWS (`compose --bundle`,
 * `validate`). The factories stay synchronous, so the SDK is required on the first call instead.
 * The SDK packages publish no `exports` map, so `import` and `require` resolve to the same
 * CommonJS module: one instance, whichever way a caller loads it.
 */
const requireSdk = createRequire(import.meta.url);
const sdk = {
  s3: () => requireSdk('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3'),
  sqs: () => requireSdk('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs'),
  eventBridge: () =>
    requireSdk('@aws-sdk/client-eventbridge') as typeof import('@aws-sdk/client-eventbridge'),
};

/** What every AWS client of the pipeline is built from. */
export interface AwsClientOptions {
  /** Region; default `eu-central-1` (ARCHITECTURE.md). */
  region?: string;
  /**
   * An S3/SQS/EventBridge-compatible endpoint (moto, MinIO, LocalStack). Default: the SDK's own
   * `AWS_ENDPOINT_URL` variable. When set, S3 uses path-style addressing and only computes or checks
   * checksums when an operation requires them, because emulators do not all speak the newer
   * default checksum headers.
   */
  endpoint?: string | undefined;
  /**
   * How long opening a connection may take, in ms. Default: `AWS_CONNECT_TIMEOUT_SECONDS`, else
   * 5000.
   */
  connectTimeoutMs?: number;
  /**
   * How long a request may go without sending or receiving a byte, in ms: an endpoint that accepted
   * the connection and then froze (a stopped process, a hung NAS) fails the request after this long
   * with a retryable `TimeoutError` instead of holding it forever. Default:
   * `AWS_REQUEST_TIMEOUT_SECONDS`, else 60000 (above SQS's longest long poll of 20 s).
   */
  requestTimeoutMs?: number;
}

/** Upper bound of one request however busy its socket stays: a 8 MiB part at 100 kbit/s fits. */
export const MAX_REQUEST_MS = 15 * 60_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/**
 * The SDK prints "An error was encountered in a non-retryable streaming request." with console.warn
 * whenever an upload fails, because it cannot replay a stream itself. The pipeline retries those
 * uploads (from the file) and logs why in its own lines, so that one remark is dropped; every other
 * SDK warning still reaches stderr. Debug, info and per-command error records are dropped, as the
 * SDK's default (no-op) logger does.
 */
const sdkLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('non-retryable streaming request')) return;
    console.warn(...args);
  },
  // A client given a logger reports every failed command here, with its whole input; the caller gets
  // the same error thrown and decides what to log (and the SDK's default logger drops it too).
  error: () => undefined,
};

interface ResolvedAws {
  region: string;
  endpoint: string | undefined;
  requestHandler: {
    connectionTimeout: number;
    socketTimeout: number;
    requestTimeout: number;
    throwOnRequestTimeout: true;
  };
}

/** Seconds from an environment variable (validated by loadConfig at start-up), as ms. */
function envMs(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

function resolve(options: AwsClientOptions): ResolvedAws {
  const endpoint = options.endpoint ?? (process.env.AWS_ENDPOINT_URL || undefined);
  const idleMs =
    options.requestTimeoutMs ?? envMs('AWS_REQUEST_TIMEOUT_SECONDS') ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    region: options.region ?? process.env.AWS_REGION ?? 'eu-central-1',
    endpoint,
    // The SDK's own default has no timeouts at all: a frozen endpoint would hold a request forever.
    requestHandler: {
      connectionTimeout:
        options.connectTimeoutMs ?? envMs('AWS_CONNECT_TIMEOUT_SECONDS') ?? DEFAULT_CONNECT_TIMEOUT_MS,
      // Inactivity, not total time: a slow but moving upload is fine, a silent socket is not.
      socketTimeout: idleMs,
      requestTimeout: Math.max(MAX_REQUEST_MS, idleMs),
      throwOnRequestTimeout: true,
    },
  };
}

/** S3 client; against a custom endpoint: path-style and `WHEN_REQUIRED` checksums. Real AWS keeps SDK defaults. */
export function createS3Client(options: AwsClientOptions = {}): S3Client {
  const { region, endpoint, requestHandler } = resolve(options);
  const { S3Client } = sdk.s3();
  if (endpoint === undefined) return new S3Client({ region, requestHandler, logger: sdkLogger });
  return new S3Client({
    region,
    endpoint,
    requestHandler,
    logger: sdkLogger,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function createSqsClient(options: AwsClientOptions = {}): SQSClient {
  const { region, endpoint, requestHandler } = resolve(options);
  const { SQSClient } = sdk.sqs();
  return new SQSClient({
    region,
    requestHandler,
    logger: sdkLogger,
    ...(endpoint === undefined ? {} : { endpoint }),
  });
}

export function createEventBridgeClient(options: AwsClientOptions = {}): EventBridgeClient {
  const { region, endpoint, requestHandler } = resolve(options);
  const { EventBridgeClient } = sdk.eventBridge();
  return new EventBridgeClient({
    region,
    requestHandler,
    logger: sdkLogger,
    ...(endpoint === undefined ? {} : { endpoint }),
  });
}

/**
 * The options of one SDK `send` that a caller may abort: the SDK's type takes `abortSignal` as
 * absent or a signal, never `undefined`.
 */
export function abortable(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}
