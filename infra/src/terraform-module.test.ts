import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFINITION_FILES,
  DEFINITIONS_DIR,
  loadDefinition,
  placeholdersIn,
  readDefinitionText,
} from './definitions.js';

// Terraform cannot init here (no registry access), so the module is checked structurally: every
// .tf file is parsed with hcl2json and its wiring to ../definitions is asserted.
const MODULE_DIR = resolve(DEFINITIONS_DIR, '..', 'terraform');
type Block = Record<string, unknown>;

let module: {
  resource: Record<string, Record<string, Block[]>>;
  locals: Block[];
  variable: Block;
  output: Block;
};
let expressions: string[];

function stringsIn(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, into);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) stringsIn(item, into);
  return into;
}

/** A Terraform interpolation as hcl2json renders it: `${expr}`. */
const interpolation = (expression: string): string => `\${${expression}}`;

function withoutDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDescriptions);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.endsWith('description'))
      .map(([key, item]) => [key, withoutDescriptions(item)]),
  );
}

function resource(type: string, name: string): Block {
  const block = module.resource[type]?.[name]?.[0];
  if (block === undefined) throw new Error(`infra/terraform: resource ${type}.${name} is missing`);
  return block;
}

const bucketJson = loadDefinition('bucket') as Record<string, Record<string, unknown>>;

/** Resolves a literal or a `${local.bucket.a.b}` reference to bucket.json. */
function bucketValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const path = /^\$\{local\.bucket\.([A-Za-z.]+)\}$/.exec(value)?.[1];
  if (path === undefined) return value;
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], bucketJson);
}

/** `templatefile("${local.definitions}/FILE", { k = v ... })` calls: file → the variable names passed. */
function templatefileCalls(): Map<string, string[][]> {
  const calls = new Map<string, string[][]>();
  for (const expression of expressions) {
    for (const match of expression.matchAll(
      /templatefile\("\$\{local\.definitions\}\/([^"]+)",\s*\{([^}]*)\}\)/g,
    )) {
      const keys = [...(match[2] ?? '').matchAll(/^\s*([a-z_]+)\s*=/gm)].map((key) => key[1] ?? '');
      calls.set(match[1] ?? '', [...(calls.get(match[1] ?? '') ?? []), keys.sort()]);
    }
  }
  return calls;
}

beforeAll(async () => {
  const merged: Block = { resource: {}, locals: [], variable: {}, output: {} };
  const files = readdirSync(MODULE_DIR).filter((file) => file.endsWith('.tf'));
  expect(files.sort()).toEqual([
    'agent-notices.tf',
    'ecs.tf',
    'main.tf',
    'outputs.tf',
    'variables.tf',
    'versions.tf',
  ]);
  for (const file of files) {
    const parsed = await parse(file, readFileSync(join(MODULE_DIR, file), 'utf8'));
    const resources = merged.resource as Record<string, Block>;
    for (const [type, blocks] of Object.entries(parsed.resource ?? {})) {
      resources[type] = { ...resources[type], ...(blocks as Block) };
    }
    (merged.locals as Block[]).push(...(parsed.locals ?? []));
    Object.assign(merged.variable as Block, parsed.variable ?? {});
    Object.assign(merged.output as Block, parsed.output ?? {});
  }
  module = merged as typeof module;
  expressions = stringsIn(merged);
});

describe('terraform module ↔ definitions', () => {
  it('reads the definitions directory relative to the module', () => {
    expect(
      module.locals.some((locals) => locals.definitions === `${interpolation('path.module')}/../definitions`),
    ).toBe(true);
  });

  it('references every definition file by path', () => {
    const referenced = new Set(
      expressions.flatMap((expression) =>
        [...expression.matchAll(/(?:templatefile|file)\("\$\{local\.definitions\}\/([^"]+)"/g)].map(
          (m) => m[1],
        ),
      ),
    );
    expect([...referenced].sort()).toEqual(Object.values(DEFINITION_FILES).sort());
  });

  it('passes each template exactly the placeholders it uses', () => {
    for (const [file, calls] of templatefileCalls()) {
      const name = Object.entries(DEFINITION_FILES).find(([, path]) => path === file)?.[0];
      expect(name, `${file} is not a known definition`).toBeDefined();
      const wanted = placeholdersIn(readDefinitionText(name as keyof typeof DEFINITION_FILES)).sort();
      for (const keys of calls) expect(keys, file).toEqual(wanted);
    }
  });

  it('duplicates no definition content inline', () => {
    // The IAM policy grammar and the services' names are vocabulary, not definition content.
    const vocabulary = new Set(['2012-10-17', 'Allow', 'bunny', 'render-consumer']);
    const distinctive = new Set<string>();
    for (const name of Object.keys(DEFINITION_FILES) as (keyof typeof DEFINITION_FILES)[]) {
      for (const leaf of stringsIn(JSON.parse(readDefinitionText(name)))) {
        if (leaf.length >= 5 && !leaf.includes('${') && !vocabulary.has(leaf)) distinctive.add(leaf);
      }
    }
    // Descriptions may name actions and queues for the reader; every other expression must not.
    const code = stringsIn({ resource: withoutDescriptions(module.resource), locals: module.locals }).join(
      '\n',
    );
    const duplicated = [...distinctive].filter((leaf) => code.includes(leaf));
    expect(duplicated).toEqual([]);
    for (const seconds of ['900', '345600', '1209600'])
      expect(code).not.toMatch(new RegExp(`\\b${seconds}\\b`));
  });
});

describe('terraform module resources', () => {
  it('blocks public access on all four toggles and encrypts with SSE-S3', () => {
    const block = resource('aws_s3_bucket_public_access_block', 'assets');
    for (const toggle of [
      'block_public_acls',
      'block_public_policy',
      'ignore_public_acls',
      'restrict_public_buckets',
    ]) {
      expect(bucketValue(block[toggle]), toggle).toBe(true);
    }
    const sse = resource('aws_s3_bucket_server_side_encryption_configuration', 'assets') as {
      rule: { apply_server_side_encryption_by_default: { sse_algorithm: string }[] }[];
    };
    expect(bucketValue(sse.rule[0]?.apply_server_side_encryption_by_default[0]?.sse_algorithm)).toBe(
      'AES256',
    );
  });

  it('turns on EventBridge notifications and makes versioning a variable', () => {
    expect(bucketValue(resource('aws_s3_bucket_notification', 'assets').eventbridge)).toBe(true);
    const versioning = resource('aws_s3_bucket_versioning', 'assets') as {
      versioning_configuration: { status: string }[];
    };
    expect(versioning.versioning_configuration[0]?.status).toContain('var.versioning_enabled');
    expect(module.variable.versioning_enabled).toBeDefined();
  });

  it('lets only the rule send to the queue (aws:SourceArn of the rule)', () => {
    const policy = String(resource('aws_sqs_queue_policy', 'renders').policy);
    expect(policy).toContain('/queue-policy.json"');
    expect(policy).toMatch(/rule_arn\s*=\s*aws_cloudwatch_event_rule\.renders\.arn/);
    const document = loadDefinition('queuePolicy', { queue_arn: 'Q', rule_arn: 'R' }) as {
      Statement: { Principal: unknown; Action: unknown; Condition: unknown }[];
    };
    expect(document.Statement).toHaveLength(1);
    expect(document.Statement[0]).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: { ArnEquals: { 'aws:SourceArn': 'R' } },
    });
  });

  it('targets the queue from the rule and redrives to the DLQ with an allow policy', () => {
    expect(resource('aws_cloudwatch_event_target', 'renders').arn).toBe(
      interpolation('aws_sqs_queue.renders.arn'),
    );
    expect(String(resource('aws_cloudwatch_event_rule', 'renders').event_pattern)).toContain(
      '/event-pattern.json"',
    );
    const redrive = String(resource('aws_sqs_queue', 'renders').redrive_policy);
    expect(redrive).toMatch(/deadLetterTargetArn\s*=\s*aws_sqs_queue\.dlq\.arn/);
    expect(redrive).toContain('local.queues.renderQueue.maxReceiveCount');
    expect(String(resource('aws_sqs_queue_redrive_allow_policy', 'dlq').redrive_allow_policy)).toMatch(
      /queue_arn\s*=\s*aws_sqs_queue\.renders\.arn/,
    );
  });

  it("routes only catalog previews' render events to the agent's notices queue, sent only by its rule", () => {
    const rule = resource('aws_cloudwatch_event_rule', 'agent_notices');
    expect(String(rule.event_pattern)).toContain('/agent-notices-pattern.json"');
    expect(rule.event_bus_name).toBe(interpolation('var.event_bus_name'));
    expect(loadDefinition('agentNoticesPattern')).toEqual({
      source: ['exercise-pipeline.render'],
      'detail-type': ['Render Ready', 'Render Failed'],
      detail: { catalogPreview: [true] },
    });
    expect(resource('aws_cloudwatch_event_target', 'agent_notices').arn).toBe(
      interpolation('aws_sqs_queue.agent_notices.arn'),
    );
    const policy = String(resource('aws_sqs_queue_policy', 'agent_notices').policy);
    expect(policy).toContain('/queue-policy.json"');
    expect(policy).toMatch(/queue_arn\s*=\s*aws_sqs_queue\.agent_notices\.arn/);
    expect(policy).toMatch(/rule_arn\s*=\s*aws_cloudwatch_event_rule\.agent_notices\.arn/);
    const queue = resource('aws_sqs_queue', 'agent_notices');
    expect(queue.name).toBe(interpolation('local.agent_notices.queue.name'));
    const redrive = String(queue.redrive_policy);
    expect(redrive).toMatch(/deadLetterTargetArn\s*=\s*aws_sqs_queue\.agent_notices_dlq\.arn/);
    expect(redrive).toContain('local.agent_notices.queue.maxReceiveCount');
    expect(
      String(resource('aws_sqs_queue_redrive_allow_policy', 'agent_notices_dlq').redrive_allow_policy),
    ).toMatch(/queue_arn\s*=\s*aws_sqs_queue\.agent_notices\.arn/);
    const locals = module.locals.find((block) => 'agent_notices' in block) as Record<string, string>;
    expect(locals.agent_notices).toContain('/agent-notices.json"');
  });

  it('gives the agent only receive, delete, change visibility and attributes on the notices queue', () => {
    const policy = String(resource('aws_iam_policy', 'ingest_agent_notices').policy);
    expect(policy).toContain('/policies/ingest-agent-notices.json"');
    expect(policy).toMatch(/notices_queue_arn\s*=\s*aws_sqs_queue\.agent_notices\.arn/);
    const document = loadDefinition('ingestAgentNoticesPolicy', { notices_queue_arn: 'N' }) as {
      Statement: { Effect: string; Action: string[]; Resource: unknown; Condition?: unknown }[];
    };
    expect(document.Statement).toHaveLength(1);
    expect(document.Statement[0]?.Effect).toBe('Allow');
    expect([...(document.Statement[0]?.Action ?? [])].sort()).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
    ]);
    expect(document.Statement[0]?.Resource).toBe('N');
  });

  it('alarms on any visible message in the DLQ and notifies the given SNS topic', () => {
    const alarm = resource('aws_cloudwatch_metric_alarm', 'dlq_not_empty');
    expect(alarm).toMatchObject({
      namespace: 'AWS/SQS',
      metric_name: 'ApproximateNumberOfMessagesVisible',
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
      dimensions: { QueueName: interpolation('aws_sqs_queue.dlq.name') },
      alarm_actions: [interpolation('var.alarm_sns_topic_arn')],
    });
    expect(module.variable.alarm_sns_topic_arn).toBeDefined();
  });

  it('declares the four IAM policies from the policy definitions', () => {
    const policies = module.resource.aws_iam_policy ?? {};
    const files = Object.values(policies).map(
      (blocks) => /\/(policies\/[^"]+)"/.exec(String(blocks[0]?.policy))?.[1],
    );
    expect(files.sort()).toEqual(
      Object.values(DEFINITION_FILES)
        .filter((file) => file.startsWith('policies/'))
        .sort(),
    );
  });

  it('runs the consumer on Fargate with the environment of consumer-task.json and its secrets', () => {
    const task = resource('aws_ecs_task_definition', 'consumer');
    expect(task).toMatchObject({
      requires_compatibilities: ['FARGATE'],
      network_mode: 'awsvpc',
      cpu: interpolation('var.consumer_cpu'),
      memory: interpolation('var.consumer_memory'),
      execution_role_arn: interpolation('aws_iam_role.consumer_execution[0].arn'),
      task_role_arn: interpolation('aws_iam_role.consumer_task[0].arn'),
    });
    const containers = String(task.container_definitions);
    expect(containers).toContain('image        = var.consumer_image');
    expect(containers).toMatch(/environment\s*=\s*\[for name, value in local\.consumer_task\.environment/);
    expect(containers).toContain('secrets      = local.consumer_secrets');
    expect(containers).toContain('stopTimeout  = local.consumer_stop_timeout');
    expect(containers).toContain('/healthz');
    const locals = module.locals.find((block) => 'consumer_task' in block) as Record<string, string>;
    expect(locals.consumer_task).toContain('/consumer-task.json"');
    expect(locals.consumer_stop_timeout).toBe(
      interpolation('min(120, var.consumer_shutdown_deadline_seconds + 30)'),
    );
    expect(locals.consumer_secrets).toContain(`:${interpolation('key')}::`);
    const ecs = readFileSync(join(MODULE_DIR, 'ecs.tf'), 'utf8');
    expect(ecs).toContain(`name  = "restartix/${interpolation('var.environment')}/bunny-bootstrap"`);
    // Every variable the definition sets is one the consumer reads (documented in the README).
    const readme = readFileSync(resolve(MODULE_DIR, '..', '..', 'README.md'), 'utf8');
    const environment = (
      loadDefinition(
        'consumerTask',
        Object.fromEntries(placeholdersIn(readDefinitionText('consumerTask')).map((name) => [name, 'x'])),
      ) as { environment: Record<string, string> }
    ).environment;
    for (const name of Object.keys(environment)) expect(readme, name).toContain(`\`${name}\``);
  });

  it('gives the task role the composer read and consumer policies, the execution role only its secrets', () => {
    expect(resource('aws_iam_role_policy_attachment', 'consumer_task_composer_read').policy_arn).toBe(
      interpolation('aws_iam_policy.composer_read.arn'),
    );
    expect(resource('aws_iam_role_policy_attachment', 'consumer_task_render_consumer').policy_arn).toBe(
      interpolation('aws_iam_policy.render_consumer.arn'),
    );
    const attachments = Object.values(module.resource.aws_iam_role_policy_attachment ?? {}).map((blocks) =>
      String(blocks[0]?.role),
    );
    expect(attachments.filter((role) => role.includes('consumer_task'))).toHaveLength(2);
    const secrets = String(resource('aws_iam_role_policy', 'consumer_execution_secrets').policy);
    expect(secrets).toContain('secretsmanager:GetSecretValue');
    expect(secrets).toMatch(
      /Resource\s*=\s*concat\(\[local\.bunny_secret_arn\], values\(var\.consumer_secret_arns\)\)/,
    );
    expect(String(resource('aws_cloudwatch_log_group', 'consumer').retention_in_days)).toBe(
      interpolation('var.consumer_log_retention_days'),
    );
  });

  it('scales the service on visible messages per running task, by metric math', () => {
    expect(resource('aws_appautoscaling_target', 'consumer')).toMatchObject({
      service_namespace: 'ecs',
      scalable_dimension: 'ecs:service:DesiredCount',
      min_capacity: interpolation('var.consumer_min_tasks'),
      max_capacity: interpolation('var.consumer_max_tasks'),
    });
    const policy = resource('aws_appautoscaling_policy', 'consumer_backlog') as {
      policy_type: string;
      target_tracking_scaling_policy_configuration: {
        target_value: string;
        customized_metric_specification: {
          metrics: { id: string; expression?: string; return_data: boolean; metric_stat?: unknown }[];
        }[];
      }[];
    };
    expect(policy.policy_type).toBe('TargetTrackingScaling');
    const tracking = policy.target_tracking_scaling_policy_configuration[0];
    expect(tracking?.target_value).toBe(interpolation('var.consumer_backlog_per_task'));
    const metrics = tracking?.customized_metric_specification[0]?.metrics ?? [];
    expect(metrics.map((metric) => metric.id)).toEqual(['visible', 'tasks', 'backlog_per_task']);
    expect(JSON.stringify(metrics[0])).toContain('ApproximateNumberOfMessagesVisible');
    expect(JSON.stringify(metrics[0])).toContain(interpolation('aws_sqs_queue.renders.name'));
    expect(JSON.stringify(metrics[1])).toContain('RunningTaskCount');
    expect(metrics[2]).toMatchObject({ expression: 'visible / tasks', return_data: true });
    const service = resource('aws_ecs_service', 'consumer') as { lifecycle: { ignore_changes: string[] }[] };
    expect(service.lifecycle[0]?.ignore_changes).toEqual([interpolation('desired_count')]);
  });

  it('documents every variable and output in the README', () => {
    const readme = readFileSync(join(MODULE_DIR, 'README.md'), 'utf8');
    for (const name of [...Object.keys(module.variable), ...Object.keys(module.output)]) {
      expect(readme, name).toContain(`\`${name}\``);
    }
  });
});
