import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  type EventBridgeClient,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { type ResourceChange, readOrAbsent, sameJson, statusOf } from './changes.js';

/** The one target id the render rule uses; Terraform's `aws_cloudwatch_event_target` uses the same. */
export const RENDER_TARGET_ID = 'render-queue';

/** Same text as the Terraform rule's description, so both environments read alike. */
export const RULE_DESCRIPTION =
  "Routes the assets bucket's object events and the ingest agents' events to the render queue";

/** The account's `default` bus always exists; any other bus is created. Returns its ARN. */
export async function ensureEventBus(
  events: EventBridgeClient,
  busName: string,
): Promise<{ arn: string; change: ResourceChange }> {
  const existing = await readOrAbsent(() => events.send(new DescribeEventBusCommand({ Name: busName })));
  if (existing?.Arn !== undefined) {
    return { arn: existing.Arn, change: { resource: 'event-bus', name: busName, status: 'unchanged' } };
  }
  const created = await events.send(new CreateEventBusCommand({ Name: busName }));
  const arn = created.EventBusArn;
  if (arn === undefined) {
    throw new Error(`EventBridge bus ${busName}: the endpoint returned no ARN; check AWS_ENDPOINT_URL`);
  }
  return { arn, change: { resource: 'event-bus', name: busName, status: 'created' } };
}

/** Same text as the Terraform notices rule's description. */
export const NOTICES_RULE_DESCRIPTION =
  'Routes "Render Ready" and "Render Failed" of catalog previews to the ingest agent\'s notices queue';

/** The target id of the notices rule; Terraform's notices target uses the same. */
export const NOTICES_TARGET_ID = 'agent-notices-queue';

export interface EnsureRuleOptions {
  ruleName: string;
  busName: string;
  /** The pattern as a JSON string (from `definitions/event-pattern.json`). */
  eventPattern: string;
  /** Default: the render rule's description. */
  description?: string;
}

export async function ensureRule(
  events: EventBridgeClient,
  options: EnsureRuleOptions,
): Promise<{ arn: string; change: ResourceChange }> {
  const { ruleName, busName, eventPattern } = options;
  const description = options.description ?? RULE_DESCRIPTION;
  const observed = await readOrAbsent(() =>
    events.send(new DescribeRuleCommand({ Name: ruleName, EventBusName: busName })),
  );
  const differs =
    observed === undefined ||
    !sameJson(observed.EventPattern, eventPattern) ||
    observed.State !== 'ENABLED' ||
    observed.Description !== description;
  let arn = observed?.Arn;
  if (differs) {
    const put = await events.send(
      new PutRuleCommand({
        Name: ruleName,
        EventBusName: busName,
        EventPattern: eventPattern,
        State: 'ENABLED',
        Description: description,
      }),
    );
    arn = put.RuleArn;
  }
  if (arn === undefined) throw new Error(`EventBridge rule ${ruleName}: the endpoint returned no ARN`);
  return {
    arn,
    change: { resource: 'rule', name: ruleName, status: statusOf(observed !== undefined, differs) },
  };
}

export async function ensureRuleTarget(
  events: EventBridgeClient,
  options: { ruleName: string; busName: string; queueArn: string; targetId?: string },
): Promise<ResourceChange> {
  const { ruleName, busName, queueArn } = options;
  const targetId = options.targetId ?? RENDER_TARGET_ID;
  const listed = await events.send(new ListTargetsByRuleCommand({ Rule: ruleName, EventBusName: busName }));
  const current = listed.Targets?.find((target) => target.Id === targetId);
  const differs = current?.Arn !== queueArn;
  if (differs) {
    await events.send(
      new PutTargetsCommand({
        Rule: ruleName,
        EventBusName: busName,
        Targets: [{ Id: targetId, Arn: queueArn }],
      }),
    );
  }
  return {
    resource: 'rule-target',
    name: `${ruleName}/${targetId}`,
    status: statusOf(current !== undefined, differs),
  };
}
