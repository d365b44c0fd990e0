import { describe, expect, it } from 'vitest';
import { createEventBridgeClient, createS3Client, createSqsClient } from './clients.js';

describe('AWS client factories', () => {
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
});
