import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type QueueAttributeName,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  type AgentNoticesSettings,
  agentNoticesDlqAttributes,
  agentNoticesQueueAttributes,
  deadLetterQueueAttributes,
  type QueueSettings,
  renderQueueAttributes,
} from '../settings.js';
import { type ResourceChange, readOrAbsent, sameJson, statusOf } from './changes.js';

export interface QueueHandle {
  url: string;
  arn: string;
}

export interface EnsureQueuesOptions {
  queueName: string;
  dlqName: string;
  settings: QueueSettings;
}

export interface EnsuredQueues {
  queue: QueueHandle;
  dlq: QueueHandle;
  changes: ResourceChange[];
}

/** Attributes whose values are JSON documents: compared by meaning, not by spelling. */
const JSON_ATTRIBUTES = new Set(['RedrivePolicy', 'Policy', 'RedriveAllowPolicy']);

function differingAttributes(
  observed: Record<string, string>,
  desired: Record<string, string>,
): Record<string, string> {
  const differing: Record<string, string> = {};
  for (const [key, value] of Object.entries(desired)) {
    const same = JSON_ATTRIBUTES.has(key) ? sameJson(observed[key], value) : observed[key] === value;
    if (!same) differing[key] = value;
  }
  return differing;
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = attributes.Attributes?.QueueArn;
  if (arn === undefined)
    throw new Error(`SQS queue ${url}: the endpoint returned no QueueArn; check AWS_ENDPOINT_URL`);
  return arn;
}

/** Creates the queue with `desired`, or sets exactly the attributes that differ from `desired`. */
export async function ensureQueue(
  sqs: SQSClient,
  resource: string,
  name: string,
  desired: Record<string, string>,
): Promise<{ handle: QueueHandle; change: ResourceChange }> {
  const existing = await readOrAbsent(() => sqs.send(new GetQueueUrlCommand({ QueueName: name })));
  if (existing?.QueueUrl === undefined) {
    const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: desired }));
    const url = created.QueueUrl ?? '';
    return { handle: { url, arn: await queueArn(sqs, url) }, change: { resource, name, status: 'created' } };
  }
  const url = existing.QueueUrl;
  const observed = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All' as QueueAttributeName] }),
  );
  const differing = differingAttributes(observed.Attributes ?? {}, desired);
  const differs = Object.keys(differing).length > 0;
  if (differs) await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: differing }));
  return {
    handle: { url, arn: observed.Attributes?.QueueArn ?? (await queueArn(sqs, url)) },
    change: { resource, name, status: statusOf(true, differs) },
  };
}

/**
 * The dead-letter queue first (the render queue's redrive policy names its ARN), then the render
 * queue. The DLQ's RedriveAllowPolicy is Terraform's job only: moto 5.2.1 silently drops that
 * attribute, so setting it here could never be observed nor reported as unchanged.
 */
export async function ensureQueues(sqs: SQSClient, options: EnsureQueuesOptions): Promise<EnsuredQueues> {
  const dlq = await ensureQueue(
    sqs,
    'dead-letter-queue',
    options.dlqName,
    deadLetterQueueAttributes(options.settings),
  );
  const queue = await ensureQueue(
    sqs,
    'queue',
    options.queueName,
    renderQueueAttributes(options.settings, dlq.handle.arn),
  );
  return { queue: queue.handle, dlq: dlq.handle, changes: [dlq.change, queue.change] };
}

/** The agent's notices queue and its own dead-letter queue (DLQ first: the redrive policy names it). */
export async function ensureAgentNoticesQueues(
  sqs: SQSClient,
  options: { settings: AgentNoticesSettings; sqsManagedSse: boolean },
): Promise<EnsuredQueues> {
  const { settings, sqsManagedSse } = options;
  const dlq = await ensureQueue(
    sqs,
    'notices-dead-letter-queue',
    settings.deadLetterQueue.name,
    agentNoticesDlqAttributes(settings, sqsManagedSse),
  );
  const queue = await ensureQueue(
    sqs,
    'notices-queue',
    settings.queue.name,
    agentNoticesQueueAttributes(settings, sqsManagedSse, dlq.handle.arn),
  );
  return { queue: queue.handle, dlq: dlq.handle, changes: [dlq.change, queue.change] };
}

/** Sets the queue's resource policy (from `definitions/queue-policy.json`) when it differs. */
export async function ensureQueuePolicy(
  sqs: SQSClient,
  queue: QueueHandle & { name: string },
  policy: string,
): Promise<ResourceChange> {
  const observed = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['Policy'] }),
  );
  const current = observed.Attributes?.Policy;
  const differs = !sameJson(current, policy);
  if (differs)
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { Policy: policy } }));
  return { resource: 'queue-policy', name: queue.name, status: statusOf(current !== undefined, differs) };
}
