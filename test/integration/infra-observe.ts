import {
  DescribeEventBusCommand,
  DescribeRuleCommand,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import {
  GetBucketEncryptionCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, type QueueAttributeName } from '@aws-sdk/client-sqs';
import type { LocalTopology } from '@exercise-pipeline/infra';
import type { AwsClients } from '../harness/index.js';

/** Drops the SDK's per-request metadata so two reads of the same state compare equal. */
function strip<T extends object>(output: T): Omit<T, '$metadata'> {
  const { $metadata: _ignored, ...rest } = output as T & { $metadata?: unknown };
  return rest;
}

async function queueState(clients: AwsClients, url: string): Promise<Record<string, string>> {
  const output = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All' as QueueAttributeName] }),
  );
  // Message counts move with the tests' traffic; LastModifiedTimestamp stays in, it moves on any write.
  return Object.fromEntries(
    Object.entries(output.Attributes ?? {}).filter(([key]) => !key.startsWith('ApproximateNumberOf')),
  );
}

/** Everything the bootstrap writes, as the endpoint reports it. */
export async function observeTopology(clients: AwsClients, topology: LocalTopology): Promise<unknown> {
  const Bucket = topology.bucket;
  const rule = { Name: topology.ruleName, EventBusName: topology.busName };
  return {
    encryption: strip(await clients.s3.send(new GetBucketEncryptionCommand({ Bucket }))),
    publicAccessBlock: strip(await clients.s3.send(new GetPublicAccessBlockCommand({ Bucket }))),
    versioning: strip(await clients.s3.send(new GetBucketVersioningCommand({ Bucket }))),
    notifications: strip(await clients.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }))),
    tags: strip(await clients.s3.send(new GetBucketTaggingCommand({ Bucket }))),
    queue: await queueState(clients, topology.queueUrl),
    dlq: await queueState(clients, topology.dlqUrl),
    bus: strip(await clients.events.send(new DescribeEventBusCommand({ Name: topology.busName }))),
    rule: strip(await clients.events.send(new DescribeRuleCommand(rule))),
    targets: strip(
      await clients.events.send(
        new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: rule.EventBusName }),
      ),
    ),
    noticesQueue: await queueState(clients, topology.noticesQueueUrl),
    noticesDlq: await queueState(clients, topology.noticesDlqUrl),
    noticesRule: strip(
      await clients.events.send(
        new DescribeRuleCommand({ Name: topology.noticesRuleName, EventBusName: topology.busName }),
      ),
    ),
    noticesTargets: strip(
      await clients.events.send(
        new ListTargetsByRuleCommand({ Rule: topology.noticesRuleName, EventBusName: topology.busName }),
      ),
    ),
  };
}
