import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { MessageFailureRow } from '../catalog/failures.js';
import {
  describeDeadLetter,
  describeDeadLetterDetail,
  exerciseOfBody,
  forwardedAttributes,
  NO_REASON,
} from './dead-letter-entry.js';

const bundleSynced = JSON.stringify({
  version: '0',
  id: 'x',
  source: 'exercise-pipeline.ingest',
  'detail-type': 'Bundle Synced',
  account: '123456789012',
  time: '2026-01-10T10:00:00Z',
  region: 'eu-central-1',
  resources: [],
  detail: {
    exercise: 'plank-hold',
    bucket: 'exercise-assets',
    languages: ['ro'],
    changedKeys: ['plank-hold/manifest.json'],
    fingerprint: 'a'.repeat(64),
  },
});

const objectCreated = JSON.stringify({
  version: '0',
  id: 'x',
  source: 'aws.s3',
  'detail-type': 'Object Created',
  account: '123456789012',
  time: '2026-01-10T10:00:00Z',
  region: 'eu-central-1',
  resources: [],
  detail: {
    bucket: { name: 'exercise-assets' },
    object: { key: 'lumbar-release/intro-video-1.mp4', size: 10 },
  },
});

/** A message attribute of SQS's String type. */
const text = (value: string) => ({ DataType: 'String', StringValue: value });

function failure(messageId: string, reason: string, exercise: string | null = null): MessageFailureRow {
  const at = new Date('2026-01-10T10:00:00Z');
  return {
    message_id: messageId,
    exercise,
    reason,
    permanent: false,
    failures: 5,
    first_failed_at: at,
    last_failed_at: at,
  };
}

describe('exerciseOfBody', () => {
  it('reads the exercise of a "Bundle Synced" event and the slug of an object key', () => {
    expect(exerciseOfBody(bundleSynced)).toBe('plank-hold');
    expect(exerciseOfBody(objectCreated)).toBe('lumbar-release');
  });

  it('gives null for a body that is not a pipeline event', () => {
    expect(exerciseOfBody('not json')).toBeNull();
    expect(exerciseOfBody('{"source":"elsewhere"}')).toBeNull();
    expect(exerciseOfBody(undefined)).toBeNull();
  });
});

describe('describeDeadLetter', () => {
  const base: Message = {
    MessageId: 'm-1',
    ReceiptHandle: 'r',
    Body: bundleSynced,
    Attributes: {
      ApproximateReceiveCount: '6',
      ApproximateFirstReceiveTimestamp: '1767002400000',
      SentTimestamp: '1767002399000',
    },
  };

  it('prefers the failure_reason attribute the consumer put on the message', () => {
    const entry = describeDeadLetter(
      {
        ...base,
        MessageAttributes: {
          failure_reason: text('MANIFEST_INVALID: bad'),
          exercise: text('other-slug'),
        },
      },
      new Map([['m-1', failure('m-1', 'older reason')]]),
    );
    expect(entry).toMatchObject({
      reason: 'MANIFEST_INVALID: bad',
      reasonSource: 'attribute',
      exercise: 'other-slug',
    });
  });

  it("falls back to the catalog's recorded reason, then to none", () => {
    const recorded = describeDeadLetter(base, new Map([['m-1', failure('m-1', 'S3 timed out')]]));
    expect(recorded).toMatchObject({
      reason: 'S3 timed out',
      reasonSource: 'catalog',
      exercise: 'plank-hold',
    });
    expect(describeDeadLetter(base)).toMatchObject({ reason: NO_REASON, reasonSource: 'none' });
  });

  it('reports receives before this look, ISO times and the parsed body', () => {
    const entry = describeDeadLetter(base);
    expect(entry.receiveCount).toBe(5);
    expect(entry.firstReceivedAt).toBe('2025-12-29T10:00:00.000Z');
    expect(entry.sentAt).toBe('2025-12-29T09:59:59.000Z');
    expect((entry.body as { detail: { exercise: string } }).detail.exercise).toBe('plank-hold');
  });

  it('keeps a body that is not JSON as text, with missing attributes as null', () => {
    const entry = describeDeadLetter({ MessageId: 'm-2', Body: 'garbage' });
    expect(entry).toMatchObject({ body: 'garbage', receiveCount: 0, firstReceivedAt: null, exercise: null });
  });

  it('shows every attribute in the detail', () => {
    const detail = describeDeadLetterDetail({
      ...base,
      MessageAttributes: { failed_at: text('2026-01-10T10:00:00Z') },
    });
    expect(detail.attributes).toEqual({ failed_at: '2026-01-10T10:00:00Z' });
    expect(detail.rawBody).toBe(bundleSynced);
  });
});

describe('forwardedAttributes', () => {
  it('drops the failure notes and the deferral count and keeps everything else', () => {
    expect(
      forwardedAttributes({
        failure_reason: text('x'),
        failed_at: text('x'),
        source_queue: text('x'),
        exercise: text('x'),
        deferrals: { DataType: 'Number', StringValue: '3' },
        trace: text('abc'),
      }),
    ).toEqual({ trace: text('abc') });
    expect(forwardedAttributes({ failure_reason: text('x') })).toBeUndefined();
  });
});
