import { z } from 'zod';
import { DEFINITION_FILES, DEFINITIONS_DIR, DefinitionError, loadDefinition } from './definitions.js';

const seconds = z.number().int().nonnegative();

const queuesSchema = z.object({
  renderQueue: z.object({
    name: z.string().min(1),
    visibilityTimeoutSeconds: seconds.max(43_200),
    messageRetentionSeconds: seconds.min(60).max(1_209_600),
    receiveWaitTimeSeconds: seconds.max(20),
    maxReceiveCount: z.number().int().min(1).max(1000),
  }),
  deadLetterQueue: z.object({
    name: z.string().min(1),
    messageRetentionSeconds: seconds.min(60).max(1_209_600),
  }),
  sqsManagedSse: z.boolean(),
});

const bucketSchema = z.object({
  serverSideEncryption: z.object({ sseAlgorithm: z.literal('AES256'), bucketKeyEnabled: z.boolean() }),
  publicAccessBlock: z.object({
    blockPublicAcls: z.boolean(),
    blockPublicPolicy: z.boolean(),
    ignorePublicAcls: z.boolean(),
    restrictPublicBuckets: z.boolean(),
  }),
  eventBridgeNotifications: z.literal(true),
  versioningDefault: z.boolean(),
});

export type QueueSettings = z.infer<typeof queuesSchema>;
export type BucketSettings = z.infer<typeof bucketSchema>;

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new DefinitionError(`${file}: ${issues.join('; ')}; fix the definition file`);
}

/** Queue and dead-letter queue attributes from `definitions/queues.json`. */
export function loadQueueSettings(dir: string = DEFINITIONS_DIR): QueueSettings {
  return parseWith(queuesSchema, loadDefinition('queues', {}, dir), DEFINITION_FILES.queues);
}

/** Bucket hardening settings from `definitions/bucket.json`. */
export function loadBucketSettings(dir: string = DEFINITIONS_DIR): BucketSettings {
  return parseWith(bucketSchema, loadDefinition('bucket', {}, dir), DEFINITION_FILES.bucket);
}

/** The rule's event pattern for one bucket, as the JSON string EventBridge's PutRule takes. */
export function eventPatternFor(bucketName: string, dir: string = DEFINITIONS_DIR): string {
  return JSON.stringify(loadDefinition('eventPattern', { bucket_name: bucketName }, dir));
}

/** S3 bucket ARNs carry no region or account; `aws` is the partition of every commercial region. */
export function bucketArn(bucketName: string, partition = 'aws'): string {
  return `arn:${partition}:s3:::${bucketName}`;
}

/** SQS attribute values are strings; these are the ones the definitions decide. */
export function renderQueueAttributes(settings: QueueSettings, dlqArn: string): Record<string, string> {
  const queue = settings.renderQueue;
  return {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.messageRetentionSeconds),
    ReceiveMessageWaitTimeSeconds: String(queue.receiveWaitTimeSeconds),
    SqsManagedSseEnabled: String(settings.sqsManagedSse),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queue.maxReceiveCount }),
  };
}

export function deadLetterQueueAttributes(settings: QueueSettings): Record<string, string> {
  return {
    MessageRetentionPeriod: String(settings.deadLetterQueue.messageRetentionSeconds),
    SqsManagedSseEnabled: String(settings.sqsManagedSse),
  };
}
