import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, it, vi } from 'vitest';
import { createEventBridgeClient, createS3Client, createSqsClient, MAX_REQUEST_MS } from './clients.js';

describe('AWS client factories', () => {
  it('prints nothing of its own when a command fails: the caller decides what to log', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      // Nothing listens on port 1: the command fails at once with a refused connection.
      const s3 = createS3Client({ endpoint: 'http://127.0.0.1:1', region: 'eu-central-1' });
      Object.assign(s3.config, { maxAttempts: async () => 1 });
      await expect(s3.send(new HeadBucketCommand({ Bucket: 'absent' }))).rejects.toThrow();
      s3.destroy();
      expect(errors).not.toHaveBeenCalled();
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
      warnings.mockRestore();
    }
  });

  it('uses path-style addressing and WHEN_REQUIRED checksums against a custom endpoint', async () => {
    const s3 = createS3Client({ endpoint: 'http://127.0.0.1:5999', region: 'eu-central-1' });
    expect(s3.config.forcePathStyle).toBe(true);
    expect(await s3.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await s3.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    const endpoint = await s3.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(endpoint?.port).toBe(5999);
  });

  it('keeps the SDK defaults for real AWS', async () => {
    const s3 = createS3Client({ endpoint: undefined, region: 'eu-central-1' });
    const saved = process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_ENDPOINT_URL;
    try {
      const real = createS3Client({ region: 'eu-central-1' });
      expect(real.config.forcePathStyle).toBe(false);
      expect(await real.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
      expect(await real.config.responseChecksumValidation()).toBe('WHEN_SUPPORTED');
      expect(await real.config.region()).toBe('eu-central-1');
    } finally {
      if (saved !== undefined) process.env.AWS_ENDPOINT_URL = saved;
    }
    expect(s3).toBeDefined();
  });

  it('points SQS and EventBridge at the same endpoint', async () => {
    const sqs = createSqsClient({ endpoint: 'http://127.0.0.1:5998' });
    const eb = createEventBridgeClient({ endpoint: 'http://127.0.0.1:5998' });
    expect((await sqs.config.endpoint?.())?.port).toBe(5998);
    expect((await eb.config.endpoint?.())?.port).toBe(5998);
    expect(await sqs.config.region()).toBe(process.env.AWS_REGION ?? 'eu-central-1');
  });

  it('bounds every request: connect timeout, inactivity timeout, and a total that throws', async () => {
    const s3 = createS3Client({
      endpoint: 'http://127.0.0.1:5999',
      connectTimeoutMs: 1500,
      requestTimeoutMs: 2500,
    });
    const handler = s3.config.requestHandler as unknown as {
      configProvider: Promise<Record<string, unknown>>;
    };
    const settings = await handler.configProvider;
    expect(settings).toMatchObject({
      connectionTimeout: 1500,
      socketTimeout: 2500,
      requestTimeout: MAX_REQUEST_MS,
      throwOnRequestTimeout: true,
    });
    s3.destroy();
  });

  it('takes the timeouts from AWS_CONNECT_TIMEOUT_SECONDS and AWS_REQUEST_TIMEOUT_SECONDS, else 5 s and 60 s', async () => {
    const saved = {
      connect: process.env.AWS_CONNECT_TIMEOUT_SECONDS,
      request: process.env.AWS_REQUEST_TIMEOUT_SECONDS,
    };
    const settingsOf = async () => {
      const sqs = createSqsClient({ endpoint: 'http://127.0.0.1:5998' });
      const handler = sqs.config.requestHandler as unknown as {
        configProvider: Promise<Record<string, unknown>>;
      };
      const settings = await handler.configProvider;
      sqs.destroy();
      return settings;
    };
    try {
      delete process.env.AWS_CONNECT_TIMEOUT_SECONDS;
      delete process.env.AWS_REQUEST_TIMEOUT_SECONDS;
      expect(await settingsOf()).toMatchObject({ connectionTimeout: 5000, socketTimeout: 60_000 });
      process.env.AWS_CONNECT_TIMEOUT_SECONDS = '2';
      process.env.AWS_REQUEST_TIMEOUT_SECONDS = '7.5';
      expect(await settingsOf()).toMatchObject({ connectionTimeout: 2000, socketTimeout: 7500 });
    } finally {
      for (const [name, value] of [
        ['AWS_CONNECT_TIMEOUT_SECONDS', saved.connect],
        ['AWS_REQUEST_TIMEOUT_SECONDS', saved.request],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
