import {
  DETAIL_TYPES,
  manifestKey,
  parseBundleKey,
  SLOTS,
  SOURCES,
  splitBundleKey,
  videoKey,
  voiceOverKey,
} from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import {
  DEFINITION_FILES,
  DefinitionError,
  fillPlaceholders,
  loadDefinition,
  placeholdersIn,
} from './definitions.js';
import { loadAgentNoticesSettings, loadBucketSettings, loadQueueSettings } from './settings.js';

type Pattern = Record<string, unknown>;

/**
 * A reference evaluator for the subset of EventBridge matching the pattern may use. It follows the
 * documented semantics, which moto 5.2.1 (moto/events/models.py, EventPattern) implements the same way.
 */
const NAMED_FILTERS = new Set(['wildcard', 'prefix', 'suffix']);

function wildcardMatches(value: string, pattern: string): boolean {
  const regex = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${regex}$`, 's').test(value);
}

function valueMatches(value: unknown, filters: unknown[]): boolean {
  return filters.some((filter) => {
    if (typeof filter !== 'object' || filter === null) return value === filter;
    const [[name, operand]] = Object.entries(filter) as [[string, string]];
    if (typeof value !== 'string') return false;
    if (name === 'wildcard') return wildcardMatches(value, operand);
    if (name === 'prefix') return value.startsWith(operand);
    if (name === 'suffix') return value.endsWith(operand);
    throw new Error(`filter ${name} is not supported by the reference evaluator`);
  });
}

function matches(pattern: Pattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') return (rule as Pattern[]).some((alternative) => matches(alternative, event));
    const value = event[key];
    if (Array.isArray(rule)) return valueMatches(value, rule);
    return (
      typeof value === 'object' &&
      value !== null &&
      matches(rule as Pattern, value as Record<string, unknown>)
    );
  });
}

/** Operator names used: keys of filter objects inside value arrays, and `$`-keys like `$or`. */
function operatorsIn(node: unknown, inFilter = false, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) operatorsIn(item, true, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (inFilter || key.startsWith('$')) into.add(key);
      // `$or` holds whole patterns, not value filters.
      if (key === '$or' && Array.isArray(value)) for (const item of value) operatorsIn(item, false, into);
      else operatorsIn(value, inFilter, into);
    }
  }
  return into;
}

const BUCKET = 'physio-assets';
const pattern = loadDefinition('eventPattern', { bucket_name: BUCKET }) as Pattern;
const s3Event = (key: string, bucket = BUCKET, detailType: string = DETAIL_TYPES.objectCreated) => ({
  source: SOURCES.s3,
  'detail-type': detailType,
  detail: { bucket: { name: bucket }, object: { key, size: 1 } },
});

describe('event pattern', () => {
  const slug = 'detensionari-lombare';
  const bundleKeys = [
    manifestKey(slug),
    ...SLOTS.flatMap((slot) => [videoKey(slug, slot, 1), videoKey(slug, slot, 12)]),
    ...SLOTS.flatMap((slot) => [voiceOverKey(slug, 'ro', slot, 1), voiceOverKey(slug, 'pt-BR', slot, 3)]),
  ];
  const junkKeys = [
    'x.tmp',
    '.DS_Store',
    '._x',
    '._intro-video-1.mp4',
    'Thumbs.db',
    'audio/ro/._rep-left-vo-1.mp3',
  ]
    .map((name) => `${slug}/${name}`)
    .concat([`${slug}/intro-video-1.mp4.part`, `${slug}/manifest.json.tmp`]);

  it('matches every bundle-layout key, created or deleted', () => {
    for (const key of bundleKeys) {
      expect(parseBundleKey(splitBundleKey(key)?.relative ?? ''), key).not.toBeNull();
      expect(matches(pattern, s3Event(key)), key).toBe(true);
      expect(matches(pattern, s3Event(key, BUCKET, DETAIL_TYPES.objectDeleted)), key).toBe(true);
    }
  });

  it('matches no junk file, which the domain would ignore anyway', () => {
    for (const key of junkKeys) {
      expect(parseBundleKey(splitBundleKey(key)?.relative ?? ''), key).toBeNull();
      expect(matches(pattern, s3Event(key)), key).toBe(false);
    }
  });

  it('matches only its own bucket', () => {
    expect(matches(pattern, s3Event(manifestKey(slug), 'another-bucket'))).toBe(false);
  });

  it('routes every ingest event and never the render service events', () => {
    const event = (source: string, detailType: string) => ({ source, 'detail-type': detailType, detail: {} });
    expect(matches(pattern, event(SOURCES.ingest, DETAIL_TYPES.bundleSynced))).toBe(true);
    expect(matches(pattern, event(SOURCES.ingest, DETAIL_TYPES.deliveryRefused))).toBe(true);
    // Every ingest event, including detail-types added later (the consumer ignores unknown ones).
    expect(matches(pattern, event(SOURCES.ingest, 'Delivery Settling'))).toBe(true);
    expect(matches(pattern, event(SOURCES.render, DETAIL_TYPES.renderReady))).toBe(false);
    expect(matches(pattern, event(SOURCES.render, DETAIL_TYPES.renderFailed))).toBe(false);
  });

  it('uses only operators both AWS and moto 5.2.1 implement', () => {
    expect([...operatorsIn(pattern)].sort()).toEqual(['$or', 'wildcard']);
    for (const operator of operatorsIn(pattern))
      expect(operator === '$or' || NAMED_FILTERS.has(operator)).toBe(true);
  });
});

describe('agent notices pattern', () => {
  const notices = loadDefinition('agentNoticesPattern') as Pattern;
  const event = (source: string, detailType: string, detail: Record<string, unknown>) => ({
    source,
    'detail-type': detailType,
    detail,
  });

  it('matches catalog previews\' "Render Ready" and "Render Failed" from the consumer only', () => {
    const preview = { exercise: 'squat', catalogPreview: true };
    expect(matches(notices, event(SOURCES.render, DETAIL_TYPES.renderReady, preview))).toBe(true);
    expect(matches(notices, event(SOURCES.render, DETAIL_TYPES.renderFailed, preview))).toBe(true);
    // Unmarked or other renders, another source, another detail type: never.
    expect(matches(notices, event(SOURCES.render, DETAIL_TYPES.renderReady, { exercise: 'squat' }))).toBe(
      false,
    );
    expect(matches(notices, event(SOURCES.render, DETAIL_TYPES.renderReady, { catalogPreview: false }))).toBe(
      false,
    );
    expect(matches(notices, event(SOURCES.ingest, DETAIL_TYPES.renderReady, preview))).toBe(false);
    expect(matches(notices, event(SOURCES.ingest, DETAIL_TYPES.bundleSynced, preview))).toBe(false);
    expect(matches(notices, event(SOURCES.render, 'Render Started', preview))).toBe(false);
  });

  it('uses exact values only', () => {
    expect([...operatorsIn(notices)]).toEqual([]);
  });
});

describe('IAM policies', () => {
  const vars = {
    bucket_arn: 'arn:aws:s3:::physio-assets',
    queue_arn: 'arn:aws:sqs:eu-central-1:1:q',
    dlq_arn: 'arn:aws:sqs:eu-central-1:1:d',
    event_bus_arn: 'arn:aws:events:eu-central-1:1:event-bus/default',
  };
  type Statement = { Effect: string; Action: string | string[]; Resource: string | string[] };
  const statements = (
    name: 'composerReadPolicy' | 'ingestAgentPolicy' | 'ingestAgentPrunePolicy' | 'renderConsumerPolicy',
  ) => (loadDefinition(name, vars) as { Statement: Statement[] }).Statement;
  const actions = (list: Statement[]) => list.flatMap((statement) => [statement.Action].flat()).sort();

  it('gives the composer exactly s3:GetObject and s3:ListBucket on the bucket and its objects', () => {
    expect(statements('composerReadPolicy')).toEqual([
      {
        Sid: 'ComposerReadsAssets',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: [vars.bucket_arn, `${vars.bucket_arn}/*`],
      },
    ]);
  });

  it('gives the agent what a delta sync needs, and DeleteObject only in the prune policy', () => {
    expect(actions(statements('ingestAgentPolicy'))).toEqual(
      [
        's3:AbortMultipartUpload',
        's3:GetObject',
        's3:ListBucket',
        's3:ListMultipartUploadParts',
        's3:PutObject',
        'events:PutEvents',
      ].sort(),
    );
    expect(actions(statements('ingestAgentPrunePolicy'))).toEqual(['s3:DeleteObject']);
  });

  it('lets each service put only its own events on the bus', () => {
    type Conditioned = Statement & { Condition?: unknown };
    const putEvents = (list: Statement[]) =>
      (list as Conditioned[]).filter((statement) => [statement.Action].flat().includes('events:PutEvents'));
    expect(putEvents(statements('ingestAgentPolicy'))).toEqual([
      expect.objectContaining({
        Resource: vars.event_bus_arn,
        Condition: { StringEquals: { 'events:source': SOURCES.ingest } },
      }),
    ]);
    expect(putEvents(statements('renderConsumerPolicy'))).toEqual([
      expect.objectContaining({
        Resource: vars.event_bus_arn,
        Condition: { StringEquals: { 'events:source': SOURCES.render } },
      }),
    ]);
  });

  it('gives the consumer queue work on both queues, read on assets and PutEvents on the bus', () => {
    const list = statements('renderConsumerPolicy');
    const sqs = list.find((statement) => [statement.Action].flat().includes('sqs:ReceiveMessage'));
    expect(sqs?.Resource).toEqual([vars.queue_arn, vars.dlq_arn]);
    expect(actions(list)).toEqual(
      [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
        'sqs:SendMessage',
        'sqs:PurgeQueue',
        's3:GetObject',
        's3:ListBucket',
        'events:PutEvents',
      ].sort(),
    );
    // Least privilege: no wildcard actions and no resource "*".
    expect(actions(list).filter((action) => action.endsWith('*'))).toEqual([]);
    expect(list.flatMap((statement) => [statement.Resource].flat()).filter((arn) => arn === '*')).toEqual([]);
  });
});

describe('queue and bucket settings', () => {
  it('keeps messages long enough and retries five times', () => {
    const settings = loadQueueSettings();
    expect(settings.renderQueue).toMatchObject({
      name: 'exercise-renders',
      visibilityTimeoutSeconds: 900,
      maxReceiveCount: 5,
      messageRetentionSeconds: 4 * 24 * 3600,
    });
    expect(settings.deadLetterQueue).toMatchObject({
      name: 'exercise-renders-dlq',
      messageRetentionSeconds: 14 * 24 * 3600,
    });
  });

  it('gives the agent notices a queue with its own DLQ, a minute of visibility and the longest retention', () => {
    const settings = loadAgentNoticesSettings();
    expect(settings.queue).toMatchObject({
      name: 'exercise-agent-notices',
      visibilityTimeoutSeconds: 60,
      receiveWaitTimeSeconds: 20,
      maxReceiveCount: 5,
      messageRetentionSeconds: 14 * 24 * 3600,
    });
    expect(settings.deadLetterQueue).toMatchObject({ name: 'exercise-agent-notices-dlq' });
  });

  it('encrypts with SSE-S3 and blocks every kind of public access', () => {
    const bucket = loadBucketSettings();
    expect(bucket.serverSideEncryption.sseAlgorithm).toBe('AES256');
    expect(Object.values(bucket.publicAccessBlock)).toEqual([true, true, true, true]);
  });
});

describe('placeholders', () => {
  const ph = (name: string): string => `\${${name}}`;

  it('fills plain variables and rejects a missing one, naming the file and the variable', () => {
    expect(fillPlaceholders(`{"a":"${ph('x')}/*"}`, { x: 'v' }, 'f.json')).toBe('{"a":"v/*"}');
    expect(() => fillPlaceholders(`${ph('x')} ${ph('y')}`, { x: '1' }, 'f.json')).toThrowError(
      /f\.json: placeholder \$\{y\}/,
    );
    expect(() => fillPlaceholders(ph('var.x'), {}, 'f.json')).toThrow(DefinitionError);
  });

  it('uses only the documented placeholder names in every definition', () => {
    const known = new Set([
      'bucket_name',
      'bucket_arn',
      'queue_arn',
      'dlq_arn',
      'rule_arn',
      'event_bus_arn',
      'notices_queue_arn',
      // consumer-task.json, filled by the Terraform module only
      'region',
      'event_bus_name',
      'queue_url',
      'dlq_url',
      'bunny_library_id',
      'bunny_cdn_hostname',
      'shutdown_deadline_seconds',
    ]);
    for (const name of Object.keys(DEFINITION_FILES) as (keyof typeof DEFINITION_FILES)[]) {
      const text = JSON.stringify(
        loadDefinition(name, Object.fromEntries([...known].map((key) => [key, key]))),
      );
      expect(placeholdersIn(text), name).toEqual([]);
    }
  });
});
