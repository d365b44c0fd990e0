import { z } from 'zod';
import { DEFINITION_FILES, DEFINITIONS_DIR, DefinitionError, loadDefinition } from './definitions.js';

const seconds = z.number().int().nonnegative();

/** A queue with a dead-letter queue behind it. */
const sourceQueueSchema = z.object({
  name: z.string().min(1),
  visibilityTimeoutSeconds: seconds.max(43_200),
  messageRetentionSeconds: seconds.min(60).max(1_209_600),
  receiveWaitTimeSeconds: seconds.max(20),
  maxReceiveCount: z.number().int().min(1).max(1000),
});

const deadLetterQueueSchema = z.object({
  name: z.string().min(1),
  messageRetentionSeconds: seconds.min(60).max(1_209_600),
});

const queuesSchema = z.object({
  renderQueue: sourceQueueSchema,
  deadLetterQueue: deadLetterQueueSchema,
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

const agentNoticesSchema = z.object({ queue: sourceQueueSchema, deadLetterQueue: deadLetterQueueSchema });

export type QueueSettings = z.infer<typeof queuesSchema>;
export type AgentNoticesSettings = z.infer<typeof agentNoticesSchema>;
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

/** The ingest agent's notices queue and its DLQ from `definitions/agent-notices.json`. */
export function loadAgentNoticesSettings(dir: string = DEFINITIONS_DIR): AgentNoticesSettings {
  return parseWith(
    agentNoticesSchema,
    loadDefinition('agentNotices', {}, dir),
    DEFINITION_FILES.agentNotices,
  );
}

/** The notices rule's event pattern ("Render Ready"/"Render Failed" of catalog previews) as PutRule takes it. */
export function agentNoticesPatternFor(dir: string = DEFINITIONS_DIR): string {
  return JSON.stringify(loadDefinition('agentNoticesPattern', {}, dir));
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

type SourceQueue = z.infer<typeof sourceQueueSchema>;
type DeadLetterQueue = z.infer<typeof deadLetterQueueSchema>;

/** SQS attribute values are strings; these are the ones a definition decides for a queue with a DLQ. */
function sourceQueueAttributes(queue: SourceQueue, sqsManagedSse: boolean, dlqArn: string) {
  return {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.messageRetentionSeconds),
    ReceiveMessageWaitTimeSeconds: String(queue.receiveWaitTimeSeconds),
    SqsManagedSseEnabled: String(sqsManagedSse),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queue.maxReceiveCount }),
  };
}

function deadLetterAttributes(queue: DeadLetterQueue, sqsManagedSse: boolean): Record<string, string> {
  return {
    MessageRetentionPeriod: String(queue.messageRetentionSeconds),
    SqsManagedSseEnabled: String(sqsManagedSse),
  };
}

export function renderQueueAttributes(settings: QueueSettings, dlqArn: string): Record<string, string> {
  return sourceQueueAttributes(settings.renderQueue, settings.sqsManagedSse, dlqArn);
}

export function deadLetterQueueAttributes(settings: QueueSettings): Record<string, string> {
  return deadLetterAttributes(settings.deadLetterQueue, settings.sqsManagedSse);
}

/** The notices queue: encrypted like the render queue (`sqsManagedSse` of queues.json), its own timings. */
export function agentNoticesQueueAttributes(
  settings: AgentNoticesSettings,
  sqsManagedSse: boolean,
  dlqArn: string,
): Record<string, string> {
  return sourceQueueAttributes(settings.queue, sqsManagedSse, dlqArn);
}

export function agentNoticesDlqAttributes(
  settings: AgentNoticesSettings,
  sqsManagedSse: boolean,
): Record<string, string> {
  return deadLetterAttributes(settings.deadLetterQueue, sqsManagedSse);
}
