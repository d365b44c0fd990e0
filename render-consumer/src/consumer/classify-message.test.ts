import { describe, expect, it } from 'vitest';
import { classifyMessage } from './classify-message.js';

const BUCKET = 'exercise-assets';

function s3Event(detailType: string, key: string, bucket = BUCKET): string {
  return JSON.stringify({
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': detailType,
    source: 'aws.s3',
    account: '123456789012',
    time: '2026-11-27T09:00:00Z',
    region: 'eu-central-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: 10, eTag: 'abc', sequencer: '617f08299329d189' },
      'request-id': 'r',
      requester: '123456789012',
      reason: 'PutObject',
    },
  });
}

function ingestEvent(detailType: string, detail: unknown): string {
  return JSON.stringify({
    version: '0',
    id: 'x',
    'detail-type': detailType,
    source: 'exercise-pipeline.ingest',
    account: '123456789012',
    time: '2026-11-27T09:00:00Z',
    region: 'eu-central-1',
    resources: [],
    detail,
  });
}

describe('classifyMessage', () => {
  it('refreshes the exercise of an object event inside the bundle layout', () => {
    for (const key of [
      'lumbar-release/manifest.json',
      'lumbar-release/rep-left-video-2.mp4',
      'lumbar-release/audio/ro/intro-vo-1.mp3',
    ]) {
      const action = classifyMessage(s3Event('Object Created', key), BUCKET);
      expect(action).toMatchObject({ action: 'refresh', exercise: 'lumbar-release', trigger: 'object' });
    }
    expect(classifyMessage(s3Event('Object Deleted', 'lumbar-release/manifest.json'), BUCKET)).toMatchObject({
      action: 'refresh',
      exercise: 'lumbar-release',
    });
  });

  it('dead-letters keys outside the layout, naming the key', () => {
    for (const key of [
      'lumbar-release/notes.txt',
      'Lumbar/manifest.json',
      'manifest.json',
      'a/audio/ro/x.mp3',
    ]) {
      const action = classifyMessage(s3Event('Object Created', key), BUCKET);
      expect(action.action).toBe('dead-letter');
      expect(action.action === 'dead-letter' && action.reason).toContain(key);
    }
  });

  it('dead-letters events of another bucket and messages that do not parse', () => {
    expect(
      classifyMessage(s3Event('Object Created', 'x/manifest.json', 'other-bucket'), BUCKET),
    ).toMatchObject({
      action: 'dead-letter',
      reason: expect.stringContaining('other-bucket'),
    });
    expect(classifyMessage('not json', BUCKET).action).toBe('dead-letter');
    expect(classifyMessage('', BUCKET)).toEqual({ action: 'dead-letter', reason: 'the message has no body' });
    const unknownSource = JSON.stringify({
      source: 'someone.else',
      'detail-type': 'X',
      time: '2026-11-27T09:00:00Z',
      detail: {},
    });
    expect(classifyMessage(unknownSource, BUCKET).action).toBe('dead-letter');
  });

  it('ignores S3 detail types the pipeline does not consume', () => {
    expect(classifyMessage(s3Event('Object Tags Added', 'lumbar-release/manifest.json'), BUCKET).action).toBe(
      'ignore',
    );
  });

  it('refreshes on Bundle Synced with the announced fingerprint and records refusals', () => {
    const synced = ingestEvent('Bundle Synced', {
      exercise: 'lumbar-release',
      bucket: BUCKET,
      languages: ['ro'],
      changedKeys: ['lumbar-release/manifest.json'],
      fingerprint: 'f'.repeat(64),
    });
    expect(classifyMessage(synced, BUCKET)).toMatchObject({
      action: 'refresh',
      trigger: 'bundle-synced',
      exercise: 'lumbar-release',
      syncedFingerprint: 'f'.repeat(64),
    });
    const refused = ingestEvent('Delivery Refused', {
      delivery: '001 Detensionari Lombare',
      reasons: [{ file: 'x.mp4', problem: 'no rule matches', fix: 'rename it' }],
      host: 'nas',
    });
    expect(classifyMessage(refused, BUCKET).action).toBe('record-refusal');
  });
});
