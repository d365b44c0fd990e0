import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DEFINITIONS_DIR, loadDefinition } from '../definitions.js';
import {
  agentNoticesPatternFor,
  bucketArn,
  eventPatternFor,
  loadAgentNoticesSettings,
  loadBucketSettings,
  loadQueueSettings,
} from '../settings.js';
import type { ResourceChange } from './changes.js';
import { ensureBucket } from './ensure-bucket.js';
import { ensureAgentNoticesQueues, ensureQueuePolicy, ensureQueues } from './ensure-queues.js';
import {
  ensureEventBus,
  ensureRule,
  ensureRuleTarget,
  NOTICES_RULE_DESCRIPTION,
  NOTICES_TARGET_ID,
} from './ensure-rule.js';

export interface TopologyClients {
  s3: S3Client;
  sqs: SQSClient;
  events: EventBridgeClient;
}

export interface LocalTopologyOptions {
  /** The assets bucket (ASSETS_BUCKET); in production it already exists and Terraform only hardens it. */
  bucket: string;
  /** EVENT_BUS_NAME; default `default`. Any other bus is created. */
  busName?: string;
  /** Region the bucket is created in; default AWS_REGION or `eu-central-1`. */
  region?: string;
  /** Render queue name; default from `definitions/queues.json` (`exercise-renders`). */
  queueName?: string | undefined;
  /** Dead-letter queue name; default from `definitions/queues.json` (`exercise-renders-dlq`). */
  dlqName?: string | undefined;
  /** Rule name; default `{queueName}-route` (the Terraform module names it the same way). */
  ruleName?: string;
  /** Bucket versioning; default from `definitions/bucket.json`. */
  versioning?: boolean;
  /** Definitions directory; default `infra/definitions`. */
  definitionsDir?: string;
}

export interface LocalTopology {
  bucket: string;
  bucketArn: string;
  busName: string;
  busArn: string;
  ruleName: string;
  ruleArn: string;
  queueName: string;
  queueUrl: string;
  queueArn: string;
  dlqName: string;
  dlqUrl: string;
  dlqArn: string;
  /** The ingest agent's queue of catalog previews' "Render Ready"/"Render Failed" (AGENT_NOTICES_QUEUE_URL). */
  noticesQueueName: string;
  noticesQueueUrl: string;
  noticesQueueArn: string;
  noticesDlqUrl: string;
  noticesDlqArn: string;
  /** `{noticesQueueName}-route`, as the Terraform module names it. */
  noticesRuleName: string;
  noticesRuleArn: string;
  /** One entry per resource, in the order they were ensured. */
  changes: ResourceChange[];
}

/**
 * Creates or converges bucket, notifications, queues, bus, rule, target and queue policy from the
 * definition files, changing only what differs, so a second run reports every resource unchanged.
 */
export async function ensureLocalTopology(
  clients: TopologyClients,
  options: LocalTopologyOptions,
): Promise<LocalTopology> {
  const dir = options.definitionsDir ?? DEFINITIONS_DIR;
  const queueSettings = loadQueueSettings(dir);
  const bucketSettings = loadBucketSettings(dir);
  const busName = options.busName ?? 'default';
  const queueName = options.queueName ?? queueSettings.renderQueue.name;
  const dlqName = options.dlqName ?? queueSettings.deadLetterQueue.name;
  const ruleName = options.ruleName ?? `${queueName}-route`;
  const region = options.region ?? process.env.AWS_REGION ?? 'eu-central-1';

  const changes: ResourceChange[] = await ensureBucket(clients.s3, {
    bucket: options.bucket,
    region,
    versioning: options.versioning ?? bucketSettings.versioningDefault,
    settings: bucketSettings,
  });
  const queues = await ensureQueues(clients.sqs, { queueName, dlqName, settings: queueSettings });
  changes.push(...queues.changes);

  const bus = await ensureEventBus(clients.events, busName);
  changes.push(bus.change);
  const rule = await ensureRule(clients.events, {
    ruleName,
    busName,
    eventPattern: eventPatternFor(options.bucket, dir),
  });
  changes.push(rule.change);
  changes.push(await ensureRuleTarget(clients.events, { ruleName, busName, queueArn: queues.queue.arn }));

  const policy = JSON.stringify(
    loadDefinition('queuePolicy', { queue_arn: queues.queue.arn, rule_arn: rule.arn }, dir),
  );
  changes.push(await ensureQueuePolicy(clients.sqs, { ...queues.queue, name: queueName }, policy));

  const notices = await ensureAgentNotices(clients, {
    dir,
    busName,
    sqsManagedSse: queueSettings.sqsManagedSse,
  });
  changes.push(...notices.changes);

  return {
    bucket: options.bucket,
    bucketArn: bucketArn(options.bucket),
    busName,
    busArn: bus.arn,
    ruleName,
    ruleArn: rule.arn,
    queueName,
    queueUrl: queues.queue.url,
    queueArn: queues.queue.arn,
    dlqName,
    dlqUrl: queues.dlq.url,
    dlqArn: queues.dlq.arn,
    noticesQueueName: notices.queueName,
    noticesQueueUrl: notices.queues.queue.url,
    noticesQueueArn: notices.queues.queue.arn,
    noticesDlqUrl: notices.queues.dlq.url,
    noticesDlqArn: notices.queues.dlq.arn,
    noticesRuleName: notices.ruleName,
    noticesRuleArn: notices.ruleArn,
    changes,
  };
}

/**
 * The notices queue with its DLQ, the rule that feeds it catalog previews' render events, its
 * target, and a queue policy that lets only that rule send (the same policy document as the
 * render queue's, filled with the notices queue and rule).
 */
async function ensureAgentNotices(
  clients: TopologyClients,
  options: { dir: string; busName: string; sqsManagedSse: boolean },
) {
  const { dir, busName } = options;
  const settings = loadAgentNoticesSettings(dir);
  const queueName = settings.queue.name;
  const ruleName = `${queueName}-route`;
  const queues = await ensureAgentNoticesQueues(clients.sqs, {
    settings,
    sqsManagedSse: options.sqsManagedSse,
  });
  const changes = [...queues.changes];
  const rule = await ensureRule(clients.events, {
    ruleName,
    busName,
    eventPattern: agentNoticesPatternFor(dir),
    description: NOTICES_RULE_DESCRIPTION,
  });
  changes.push(rule.change);
  changes.push(
    await ensureRuleTarget(clients.events, {
      ruleName,
      busName,
      queueArn: queues.queue.arn,
      targetId: NOTICES_TARGET_ID,
    }),
  );
  const policy = JSON.stringify(
    loadDefinition('queuePolicy', { queue_arn: queues.queue.arn, rule_arn: rule.arn }, dir),
  );
  changes.push(await ensureQueuePolicy(clients.sqs, { ...queues.queue, name: queueName }, policy));
  return { queueName, ruleName, ruleArn: rule.arn, queues, changes };
}
