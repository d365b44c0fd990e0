import { describe, expect, it } from 'vitest';
import { parsePipelineMessage } from './events.js';

// Captured from moto 5.2.1 (S3 EventBridge notification routed by a rule to SQS): ETag as `eTag`,
// constant id and sequencer, reason "ObjectCreated", key verbatim.
const MOTO_OBJECT_CREATED =
  '{"version": "0", "id": "17793124-05d4-b198-2fde-7ededc63b103", "detail-type": "Object Created", "source": "aws.s3", "account": "123456789012", "time": "2026-11-27T08:53:14Z", "region": "eu-central-1", "resources": ["arn:aws:s3:::probe-bucket"], "detail": {"version": "0", "bucket": {"name": "probe-bucket"}, "object": {"key": "wall-squat/intro video+1%.mp4", "size": 3, "eTag": "900150983cd24fb0d6963f7d28e17f72", "version-id": "null", "sequencer": "617f08299329d189"}, "request-id": "N4N7GDK58NMKJ12R", "requester": "123456789012", "source-ip-address": "1.2.3.4", "reason": "ObjectCreated"}}';

const MOTO_TAGS_ADDED = MOTO_OBJECT_CREATED.replace('"Object Created"', '"Object Tags Added"');

/** Shaped like the example in the S3 user guide ("Using EventBridge"). */
function awsEvent(detailType: string, object: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: '2ee9cc15-d022-99ea-1fb8-1b1bac4850f9',
    'detail-type': detailType,
    source: 'aws.s3',
    account: '111122223333',
    time: '2021-11-12T00:00:00Z',
    region: 'ca-central-1',
    resources: ['arn:aws:s3:::assets'],
    detail: {
      version: '0',
      bucket: { name: 'assets' },
      object,
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      'source-ip-address': '1.2.3.4',
      ...extra,
    },
  };
}

function pipelineEvent(source: string, detailType: string, detail: unknown) {
  return { version: '0', id: 'x', 'detail-type': detailType, source, time: '2025-01-02T03:04:05Z', detail };
}

function reasonOf(body: unknown): string {
  const result = parsePipelineMessage(body);
  if (result.ok) throw new Error('expected the message to be refused');
  return result.reason;
}

describe('parsePipelineMessage: S3 object events', () => {
  it('reads what moto delivers, keeping the key verbatim', () => {
    expect(parsePipelineMessage(MOTO_OBJECT_CREATED)).toEqual({
      ok: true,
      message: {
        type: 'object-created',
        bucket: 'probe-bucket',
        key: 'wall-squat/intro video+1%.mp4',
        size: 3,
        etag: '900150983cd24fb0d6963f7d28e17f72',
        time: '2026-11-27T08:53:14.000Z',
        reason: 'ObjectCreated',
        versionId: 'null',
        envelope: {
          source: 'aws.s3',
          detailType: 'Object Created',
          time: '2026-11-27T08:53:14.000Z',
          id: '17793124-05d4-b198-2fde-7ededc63b103',
          account: '123456789012',
          region: 'eu-central-1',
        },
      },
    });
  });

  it('accepts the ETag as `etag` and strips quotes', () => {
    const result = parsePipelineMessage(
      awsEvent(
        'Object Created',
        { key: 'wall-squat/manifest.json', size: 120, etag: '"abc123"', sequencer: '00' },
        {
          reason: 'PutObject',
        },
      ),
    );
    expect(result.ok && result.message.type === 'object-created' && result.message).toMatchObject({
      bucket: 'assets',
      key: 'wall-squat/manifest.json',
      size: 120,
      etag: 'abc123',
      reason: 'PutObject',
    });
  });

  it('reads a deletion with its deletion type and no size or ETag', () => {
    const result = parsePipelineMessage(
      awsEvent(
        'Object Deleted',
        { key: 'wall-squat/intro-video-2.mp4', sequencer: '00' },
        { reason: 'DeleteObject', 'deletion-type': 'Permanently Deleted' },
      ),
    );
    expect(result).toEqual({
      ok: true,
      message: {
        type: 'object-deleted',
        bucket: 'assets',
        key: 'wall-squat/intro-video-2.mp4',
        time: '2021-11-12T00:00:00.000Z',
        reason: 'DeleteObject',
        deletionType: 'Permanently Deleted',
        envelope: {
          source: 'aws.s3',
          detailType: 'Object Deleted',
          time: '2021-11-12T00:00:00.000Z',
          id: '2ee9cc15-d022-99ea-1fb8-1b1bac4850f9',
          account: '111122223333',
          region: 'ca-central-1',
        },
      },
    });
  });

  it('never decodes a key, so an encoded-looking key is not decoded twice', () => {
    for (const key of ['a/b%2520c.mp4', 'a/b+c.mp4', 'a/b%2Fc', 'a/%E0%A4%A']) {
      const result = parsePipelineMessage(awsEvent('Object Created', { key }));
      expect(result.ok && result.message.type === 'object-created' && result.message.key).toBe(key);
    }
  });

  it('tolerates odd optional fields instead of refusing the event', () => {
    const result = parsePipelineMessage(
      awsEvent(
        'Object Created',
        { key: 'k/x', size: null, eTag: 5, 'version-id': null, sequencer: 1 },
        { reason: 7 },
      ),
    );
    expect(result.ok && result.message).toMatchObject({ type: 'object-created', key: 'k/x' });
    expect(result.ok && 'size' in result.message).toBe(false);
    expect(result.ok && 'etag' in result.message).toBe(false);
  });

  it('accepts epoch seconds as time', () => {
    const event = { ...awsEvent('Object Created', { key: 'k/x' }), time: 1_700_000_000 };
    const result = parsePipelineMessage(event);
    expect(result.ok && result.message.envelope.time).toBe('2023-11-14T22:13:20.000Z');
  });

  it('marks S3 detail types the pipeline does not consume as ignorable', () => {
    expect(parsePipelineMessage(MOTO_TAGS_ADDED)).toEqual({
      ok: false,
      reason:
        'unknown detail-type "Object Tags Added" from aws.s3; expected "Object Created", "Object Deleted"',
      ignorable: true,
    });
  });

  it('names the missing or wrong field of the detail', () => {
    expect(reasonOf(awsEvent('Object Created', {}))).toBe(
      '"Object Created" detail.object.key: is required: expected the object key',
    );
    const noBucket = awsEvent('Object Deleted', { key: 'k' });
    noBucket.detail.bucket = 'assets' as never;
    expect(reasonOf(noBucket)).toBe(
      '"Object Deleted" detail.bucket: expected an object {"name": ...}, got "assets"',
    );
  });
});

describe("parsePipelineMessage: the pipeline's own events", () => {
  it('reads Bundle Synced', () => {
    const detail = {
      exercise: 'wall-squat',
      bucket: 'assets',
      languages: ['ro', 'en'],
      changedKeys: ['wall-squat/manifest.json'],
      fingerprint: 'f'.repeat(64),
    };
    const result = parsePipelineMessage(
      JSON.stringify(pipelineEvent('exercise-pipeline.ingest', 'Bundle Synced', detail)),
    );
    expect(result).toEqual({
      ok: true,
      message: {
        type: 'bundle-synced',
        ...detail,
        envelope: {
          source: 'exercise-pipeline.ingest',
          detailType: 'Bundle Synced',
          time: '2025-01-02T03:04:05.000Z',
          id: 'x',
        },
      },
    });
  });

  it("reads Bundle Synced with the agent's picture and sound findings, and refuses malformed ones", () => {
    const finding = {
      kind: 'black',
      file: '001 Detensionari Lombare - Intro.mp4',
      atSeconds: 0,
      untilSeconds: 3.2,
      action: 'warn',
      message: 'black picture from 0.0 s to 3.2 s — trim the black start or re-export the clip',
    };
    const detail = {
      exercise: 'wall-squat',
      bucket: 'assets',
      languages: ['ro'],
      changedKeys: ['wall-squat/manifest.json'],
      fingerprint: 'f'.repeat(64),
      findings: [finding, { ...finding, kind: 'a-newer-kind', untilSeconds: undefined }],
    };
    const result = parsePipelineMessage(pipelineEvent('exercise-pipeline.ingest', 'Bundle Synced', detail));
    expect(result.ok && result.message.type === 'bundle-synced' && result.message.findings).toEqual([
      finding,
      { ...finding, kind: 'a-newer-kind', untilSeconds: undefined },
    ]);
    expect(
      reasonOf(
        pipelineEvent('exercise-pipeline.ingest', 'Bundle Synced', {
          ...detail,
          findings: [{ ...finding, atSeconds: -1 }],
        }),
      ),
    ).toBe('"Bundle Synced" detail.findings.0.atSeconds: expected 0 or more seconds, got -1');
  });

  it('reads Delivery Refused with and without exercise and file', () => {
    const detail = {
      delivery: '001 Detensionari Lombare',
      reasons: [
        { problem: 'no intro video', fix: 'add "… - Intro.mp4"' },
        { file: 'x.mov', problem: 'not an mp4', fix: 'export as mp4' },
      ],
      host: 'nas-1',
    };
    const result = parsePipelineMessage(
      pipelineEvent('exercise-pipeline.ingest', 'Delivery Refused', detail),
    );
    expect(result.ok && result.message).toMatchObject({ type: 'delivery-refused', ...detail });
    expect(
      parsePipelineMessage(
        pipelineEvent('exercise-pipeline.ingest', 'Delivery Refused', { ...detail, exercise: 'Bad Name' }),
      ).ok,
    ).toBe(true);
    expect(
      reasonOf(pipelineEvent('exercise-pipeline.ingest', 'Delivery Refused', { ...detail, reasons: [] })),
    ).toBe('"Delivery Refused" detail.reasons: expected at least one reason, got an array of 0');
  });

  it('reads Render Ready, carrying a numeric render id as a string', () => {
    const detail = {
      exercise: 'wall-squat',
      language: 'ro',
      renderId: 17,
      assetVersion: 3,
      recipeHash: 'a'.repeat(64),
      bunnyVideoId: 'guid',
      playbackUrl: 'https://cdn.example/guid/playlist.m3u8',
      durationSeconds: 41.5,
    };
    const result = parsePipelineMessage(pipelineEvent('exercise-pipeline.render', 'Render Ready', detail));
    expect(result.ok && result.message).toMatchObject({ type: 'render-ready', ...detail, renderId: '17' });
  });

  it('reads the preview notice fields of Render Ready and Render Failed, and refuses a link that is not http(s)', () => {
    const detail = {
      exercise: 'wall-squat',
      language: 'ro',
      renderId: '17',
      assetVersion: 3,
      recipeHash: 'a'.repeat(64),
      playbackUrl: '/media/v17/playlist.m3u8',
      durationSeconds: 41.5,
      catalogPreview: true,
      fingerprint: 'sha256:abc',
      previewUrl: 'http://nas.local:9400/#render=17',
    };
    const ready = parsePipelineMessage(pipelineEvent('exercise-pipeline.render', 'Render Ready', detail));
    expect(ready.ok && ready.message).toMatchObject({ type: 'render-ready', ...detail });
    const failed = parsePipelineMessage(
      pipelineEvent('exercise-pipeline.render', 'Render Failed', {
        exercise: 'wall-squat',
        assetVersion: 3,
        error: 'x',
        catalogPreview: true,
        fingerprint: 'sha256:abc',
      }),
    );
    expect(failed.ok && failed.message).toMatchObject({ catalogPreview: true, fingerprint: 'sha256:abc' });
    expect(
      reasonOf(
        pipelineEvent('exercise-pipeline.render', 'Render Ready', {
          ...detail,
          previewUrl: 'javascript:alert(1)',
        }),
      ),
    ).toMatch(/^"Render Ready" detail\.previewUrl: expected an http\(s\) URL/);
  });

  it('reads Render Failed with only the required fields', () => {
    const detail = { exercise: 'wall-squat', assetVersion: 0, error: 'ffmpeg exited with 1' };
    const result = parsePipelineMessage(pipelineEvent('exercise-pipeline.render', 'Render Failed', detail));
    expect(result.ok && result.message).toMatchObject({ type: 'render-failed', ...detail });
  });

  it('names every wrong field', () => {
    expect(
      reasonOf(
        pipelineEvent('exercise-pipeline.render', 'Render Ready', {
          exercise: 'wall-squat',
          language: 'ro',
          renderId: 'r1',
          assetVersion: -1,
          recipeHash: 'h',
          durationSeconds: '4',
        }),
      ),
    ).toBe(
      '"Render Ready" detail.assetVersion: expected a whole number >= 0, got -1; detail.playbackUrl: is required: expected the playback URL; detail.durationSeconds: expected a duration in seconds, got "4"',
    );
  });
});

describe('parsePipelineMessage: refusals', () => {
  it.each([
    ['not json', 'body is not JSON: "not json"'],
    ['[1]', 'body is not a JSON object, got an array of 1'],
    ['null', 'body is not a JSON object, got null'],
    [42, 'body is not a JSON object, got 42'],
  ])('refuses %j', (body, reason) => {
    expect(reasonOf(body)).toBe(reason);
  });

  it('refuses an object that is not an EventBridge event', () => {
    expect(reasonOf({ Records: [] })).toBe(
      'not an EventBridge event: detail-type: is required: expected the event\'s detail type, e.g. "Object Created"; source: is required: expected the event\'s source, e.g. "aws.s3"; time: is required: expected an ISO 8601 time; detail: is required: expected an object',
    );
    expect(reasonOf({ ...pipelineEvent('aws.s3', 'Object Created', {}), time: 'yesterday' })).toBe(
      'not an EventBridge event: time: expected an ISO 8601 time, got "yesterday"',
    );
  });

  it('refuses an unknown source without marking it ignorable', () => {
    const result = parsePipelineMessage(
      pipelineEvent('aws.ec2', 'EC2 Instance State-change Notification', {}),
    );
    expect(result).toEqual({
      ok: false,
      reason:
        'unknown source "aws.ec2"; expected one of aws.s3, exercise-pipeline.ingest, exercise-pipeline.render, exercise-pipeline.ops',
    });
  });

  it('refuses a detail type from the wrong source', () => {
    expect(reasonOf(pipelineEvent('exercise-pipeline.ingest', 'Render Ready', {}))).toBe(
      'unknown detail-type "Render Ready" from exercise-pipeline.ingest; expected "Bundle Synced", "Delivery Refused"',
    );
  });
});

describe("parsePipelineMessage: operators' refresh requests", () => {
  it('reads "Refresh Requested" from exercise-pipeline.ops, force defaulting to false', () => {
    const body = (detail: unknown) =>
      JSON.stringify({
        source: 'exercise-pipeline.ops',
        'detail-type': 'Refresh Requested',
        time: '2026-11-27T10:00:00Z',
        detail,
      });
    expect(
      parsePipelineMessage(body({ exercise: 'neck-tilt', force: true, requestedBy: 'ops@nas' })),
    ).toMatchObject({
      ok: true,
      message: { type: 'refresh-requested', exercise: 'neck-tilt', force: true, requestedBy: 'ops@nas' },
    });
    expect(parsePipelineMessage(body({ exercise: 'neck-tilt' }))).toMatchObject({
      ok: true,
      message: { type: 'refresh-requested', force: false },
    });
    const bad = parsePipelineMessage(body({ exercise: '../etc' }));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toContain('detail.exercise');
  });
});
