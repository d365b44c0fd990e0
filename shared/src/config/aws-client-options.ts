import type { AwsClientOptions } from '../aws/clients.js';
import type { PipelineConfig } from './load-config.js';

/**
 * What every AWS client of both programs is built from: the validated AWS_REGION,
 * AWS_ENDPOINT_URL and the connect/request timeouts, so no client falls back to reading the
 * environment on its own.
 */
export function awsClientOptions(config: PipelineConfig): AwsClientOptions {
  return {
    region: config.awsRegion,
    ...(config.awsEndpointUrl ? { endpoint: config.awsEndpointUrl } : {}),
    ...(config.awsConnectTimeoutSeconds === undefined
      ? {}
      : { connectTimeoutMs: config.awsConnectTimeoutSeconds * 1000 }),
    ...(config.awsRequestTimeoutSeconds === undefined
      ? {}
      : { requestTimeoutMs: config.awsRequestTimeoutSeconds * 1000 }),
  };
}
