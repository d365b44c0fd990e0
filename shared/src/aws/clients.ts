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
  endpoint?: string;
}

interface ResolvedAws {
  region: string;
  endpoint: string | undefined;
}

function resolve(options: AwsClientOptions): ResolvedAws {
  const endpoint = options.endpoint ?? (process.env.AWS_ENDPOINT_URL || undefined);
  return { region: options.region ?? process.env.AWS_REGION ?? 'eu-central-1', endpoint };
}

/** S3 client; against a custom endpoint: path-style and `WHEN_REQUIRED` checksums. Real AWS keeps SDK defaults. */
export function createS3Client(options: AwsClientOptions = {}): S3Client {
  const { region, endpoint } = resolve(options);
  const { S3Client } = sdk.s3();
  if (endpoint === undefined) return new S3Client({ region });
  return new S3Client({
    region,
    endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function createSqsClient(options: AwsClientOptions = {}): SQSClient {
  const { region, endpoint } = resolve(options);
  const { SQSClient } = sdk.sqs();
  return endpoint === undefined ? new SQSClient({ region }) : new SQSClient({ region, endpoint });
}

export function createEventBridgeClient(options: AwsClientOptions = {}): EventBridgeClient {
  const { region, endpoint } = resolve(options);
  const { EventBridgeClient } = sdk.eventBridge();
  return endpoint === undefined
    ? new EventBridgeClient({ region })
    : new EventBridgeClient({ region, endpoint });
}
