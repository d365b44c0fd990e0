import { describe, expect, it } from 'vitest';
import { MessageInvalidError } from './errors.js';
import { parsePipelineMessage } from './events.js';
import { type OutgoingEvent, toPutEventsEntry } from './put-events.js';

const bundleSynced: OutgoingEvent = {
  type: 'bundle-synced',
  exercise: 'wall-squat',
  bucket: 'assets',
  languages: ['ro'],
  changedKeys: ['wall-squat/intro-video-1.mp4'],
  fingerprint: 'abc',
};

function errorOf(fn: () => unknown): MessageInvalidError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MessageInvalidError) return error;
    throw error;
  }
  throw new Error('expected MessageInvalidError');
}

describe('toPutEventsEntry', () => {
  it('builds the entry with the contract source and detail type', () => {
    expect(toPutEventsEntry('default', bundleSynced)).toEqual({
      Source: 'exercise-pipeline.ingest',
      DetailType: 'Bundle Synced',
      Detail:
        '{"exercise":"wall-squat","bucket":"assets","languages":["ro"],"changedKeys":["wall-squat/intro-video-1.mp4"],"fingerprint":"abc"}',
      EventBusName: 'default',
    });
  });

  it.each([
    [
      { type: 'delivery-refused', delivery: 'd', reasons: [{ problem: 'p', fix: 'f' }], host: 'h' },
      'exercise-pipeline.ingest',
      'Delivery Refused',
    ],
    [
      {
        type: 'render-ready',
        exercise: 'a',
        language: 'ro',
        renderId: 5,
        assetVersion: 1,
        recipeHash: 'h',
        playbackUrl: 'file:///x',
        durationSeconds: 3,
      },
      'exercise-pipeline.render',
      'Render Ready',
    ],
    [
      { type: 'render-failed', exercise: 'a', assetVersion: 1, error: 'boom' },
      'exercise-pipeline.render',
      'Render Failed',
    ],
  ] as [OutgoingEvent, string, string][])('routes %s', (event, source, detailType) => {
    const entry = toPutEventsEntry('bus', event);
    expect([entry.Source, entry.DetailType]).toEqual([source, detailType]);
    expect(JSON.parse(entry.Detail)).not.toHaveProperty('type');
  });

  it('round-trips through parsePipelineMessage as EventBridge would deliver it', () => {
    const time = new Date('2025-05-06T07:08:09Z');
    const entry = toPutEventsEntry('bus', { ...bundleSynced, time });
    expect(entry.Time).toBe(time);
    const delivered = {
      version: '0',
      id: 'i',
      'detail-type': entry.DetailType,
      source: entry.Source,
      time: time.toISOString(),
      detail: JSON.parse(entry.Detail),
    };
    const { type, ...detail } = bundleSynced;
    expect(parsePipelineMessage(JSON.stringify(delivered))).toMatchObject({
      ok: true,
      message: { type, ...detail },
    });
  });

  it('leaves envelope fields of a received message out of the detail', () => {
    const received = { ...bundleSynced, envelope: { source: 'x', detailType: 'y', time: 't' } };
    expect(JSON.parse(toPutEventsEntry('bus', received).Detail)).not.toHaveProperty('envelope');
  });

  it('refuses an invalid detail at the producer, naming the field', () => {
    const error = errorOf(() => toPutEventsEntry('bus', { ...bundleSynced, exercise: 'Wall Squat' }));
    expect(error.code).toBe('MESSAGE_INVALID');
    expect(error.message).toMatch(/^message is invalid: "Bundle Synced" detail\.exercise: expected a slug/);
  });

  it('refuses an empty bus name and an unknown type', () => {
    expect(errorOf(() => toPutEventsEntry('', bundleSynced)).message).toContain('EVENT_BUS_NAME');
    const unknown = { ...bundleSynced, type: 'object-created' } as unknown as OutgoingEvent;
    expect(errorOf(() => toPutEventsEntry('bus', unknown)).message).toContain('"object-created"');
  });

  it('refuses an entry above the EventBridge size limit', () => {
    const huge = {
      type: 'render-failed',
      exercise: 'a',
      assetVersion: 1,
      error: 'x'.repeat(300_000),
    } as const;
    expect(errorOf(() => toPutEventsEntry('bus', huge)).message).toMatch(/above EventBridge's 262144/);
  });
});
