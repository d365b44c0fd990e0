import { describe, expect, it } from 'vitest';
import { createS3Client } from '../aws/clients.js';
import { awsClientOptions } from './aws-client-options.js';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';

describe('awsClientOptions', () => {
  it('passes AWS_CONNECT_TIMEOUT_SECONDS and AWS_REQUEST_TIMEOUT_SECONDS to the programs’ clients', async () => {
    const env = loadConfig({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5997',
      AWS_CONNECT_TIMEOUT_SECONDS: '2',
      AWS_REQUEST_TIMEOUT_SECONDS: '7',
    });
    const options = awsClientOptions(env);
    expect(options).toMatchObject({
      endpoint: 'http://127.0.0.1:5997',
      connectTimeoutMs: 2000,
      requestTimeoutMs: 7000,
    });
    const s3 = createS3Client(options);
    const handler = s3.config.requestHandler as unknown as {
      configProvider: Promise<Record<string, unknown>>;
    };
    expect(await handler.configProvider).toMatchObject({ connectionTimeout: 2000, socketTimeout: 7000 });
    s3.destroy();
  });

  it('refuses a timeout that is not a positive number of seconds, naming the variable', () => {
    expect(() => loadConfig({ AWS_REQUEST_TIMEOUT_SECONDS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ AWS_CONNECT_TIMEOUT_SECONDS: 'soon' })).toThrow(
      'AWS_CONNECT_TIMEOUT_SECONDS must be a number of seconds > 0, e.g. 5, got "soon"',
    );
  });
});
