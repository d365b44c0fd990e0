import { randomBytes } from 'node:crypto';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createEventBridgeClient, createS3Client, createSqsClient } from '@exercise-pipeline/shared';
import { trackResource } from './resources.js';

/** A name no other test uses: lowercase, digits and hyphens, valid for buckets, queues and rules. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface AwsClients {
  s3: S3Client;
  sqs: SQSClient;
  events: EventBridgeClient;
}

/** SDK clients for a test endpoint; tracked so their sockets are closed with the test. */
export function createAwsClients(
  endpoint: string,
  region = 'eu-central-1',
): AwsClients & { close(): Promise<void> } {
  const options = { endpoint, region };
  const clients = {
    s3: createS3Client(options),
    sqs: createSqsClient(options),
    events: createEventBridgeClient(options),
  };
  const tracked = trackResource('aws-clients', endpoint, () => {
    clients.s3.destroy();
    clients.sqs.destroy();
    clients.events.destroy();
  });
  return { ...clients, close: () => tracked.close() };
}
