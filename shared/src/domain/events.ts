import { z } from 'zod';
import { describeValue } from './errors.js';
import { expected, isRecord, languageSchema, slugSchema, toFieldIssues } from './schema-parts.js';

export const SOURCES = {
  s3: 'aws.s3',
  ingest: 'exercise-pipeline.ingest',
  render: 'exercise-pipeline.render',
  /** Operators' requests sent straight to the render queue (`pnpm consumer refresh`). */
  ops: 'exercise-pipeline.ops',
} as const;

export const DETAIL_TYPES = {
  objectCreated: 'Object Created',
  objectDeleted: 'Object Deleted',
  bundleSynced: 'Bundle Synced',
  deliveryRefused: 'Delivery Refused',
  renderReady: 'Render Ready',
  renderFailed: 'Render Failed',
  refreshRequested: 'Refresh Requested',
} as const;

const text = (what: string) => z.string({ error: expected(what) }).min(1, { error: expected(what) });
const optionalText = z.string().optional().catch(undefined);

/**
 * The EventBridge envelope as SQS receives it. `time` is ISO 8601 from AWS and moto; epoch seconds
 * are accepted too because some emulators hand over their internal clock value.
 */
export const eventEnvelopeSchema = z.object({
  version: z.string().optional(),
  id: z.string().optional(),
  'detail-type': text('the event\'s detail type, e.g. "Object Created"'),
  source: text('the event\'s source, e.g. "aws.s3"'),
  account: z.string().optional(),
  time: z.union([z.string(), z.number()], { error: expected('an ISO 8601 time') }).transform((value, ctx) => {
    const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: `expected an ISO 8601 time, got ${describeValue(value)}` });
      return z.NEVER;
    }
    return date.toISOString();
  }),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.record(z.string(), z.unknown(), { error: expected('an object') }),
});

/** ETags arrive with or without the surrounding quotes S3 puts on them; compare them bare. */
function bareEtag(value: string): string {
  return value.replace(/^"+|"+$/g, '');
}

/**
 * The detail of S3's "Object Created" / "Object Deleted". AWS names the ETag `etag`, moto `eTag`;
 * `version-id` is null on moto for unversioned buckets. EventBridge carries the key verbatim (not
 * URL-encoded like S3's own notifications), so it is used as it is: decoding would corrupt a key
 * holding a literal `%` or `+`, and bundle keys consist only of characters both forms leave alone.
 */
export const s3ObjectDetailSchema = z.object({
  version: z.string().optional(),
  bucket: z.object({ name: text('the bucket name') }, { error: expected('an object {"name": ...}') }),
  object: z.object(
    {
      key: text('the object key'),
      size: z.number().int().min(0).nullish().catch(undefined),
      etag: z.string().nullish().catch(undefined),
      eTag: z.string().nullish().catch(undefined),
      sequencer: optionalText,
      'version-id': z.string().nullish().catch(undefined),
    },
    { error: expected('an object {"key": ...}') },
  ),
  'request-id': optionalText,
  requester: optionalText,
  reason: optionalText,
  'deletion-type': optionalText,
});

/** Findings one "Bundle Synced" carries at most; the event must stay far below EventBridge's 256 KiB. */
export const MAX_QC_FINDINGS = 200;

const secondsSchema = z
  .number({ error: expected('a number of seconds') })
  .min(0, { error: expected('0 or more seconds') });

/**
 * One thing the ingest agent's picture and sound check noticed in a delivered file (a black or
 * frozen stretch, a silent or clipped voice-over…). `kind` stays open text, so a newer agent's kinds
 * reach an older consumer, which shows `message` as it is.
 */
export const qcFindingSchema = z.object(
  {
    kind: text('the kind of finding, e.g. "black"'),
    file: text('the delivered file name'),
    /** Where it starts, in seconds from the start of the file. */
    atSeconds: secondsSchema,
    /** Where it ends, for a stretch. */
    untilSeconds: secondsSchema.optional(),
    /** `refuse` only in a "Delivery Refused"; a synced delivery carries warnings. */
    action: z.enum(['warn', 'refuse'], { error: expected('"warn" or "refuse"') }),
    /** What is wrong and how to fix it, in the team's words (English). */
    message: text('the finding in words'),
  },
  { error: expected('an object {"kind", "file", "atSeconds", "action", "message"}') },
);

export const bundleSyncedDetailSchema = z.object({
  exercise: slugSchema,
  bucket: text('the bucket name'),
  languages: z.array(languageSchema, { error: expected('a list of language codes') }),
  changedKeys: z.array(text('an object key'), { error: expected('a list of object keys') }),
  fingerprint: text('the bundle fingerprint'),
  /** The delivery folder the sync came from, and the agent's host (for the operators' view). */
  delivery: text('the delivery folder name').optional(),
  host: text('the agent host name').optional(),
  /** What the picture and sound check found in the delivery; absent from agents without it. */
  findings: z
    .array(qcFindingSchema, { error: expected('a list of findings') })
    .max(MAX_QC_FINDINGS, { error: expected(`at most ${MAX_QC_FINDINGS} findings`) })
    .optional(),
});

export const refusalReasonSchema = z.object(
  {
    file: z.string({ error: expected('the file concerned') }).optional(),
    problem: text('what is wrong'),
    fix: text('how to fix it'),
  },
  { error: expected('an object {"file"?, "problem", "fix"}') },
);

export const deliveryRefusedDetailSchema = z.object({
  delivery: text('the delivery folder'),
  // Not slug-checked: a refusal may be about the name itself.
  exercise: z.string({ error: expected('the exercise the delivery was for') }).optional(),
  reasons: z
    .array(refusalReasonSchema, { error: expected('a list of reasons') })
    .min(1, { error: expected('at least one reason') }),
  host: text('the host name of the agent'),
});

// Render ids are database ids; numbers are accepted and carried as strings so consumers see one type.
const renderIdSchema = z.union([text('a render id'), z.int().positive().transform(String)], {
  error: expected('a render id (string or positive whole number)'),
});
const assetVersionSchema = z.int({ error: expected('a whole number >= 0') }).min(0, {
  error: expected('a whole number >= 0'),
});

/**
 * Optional fields that let a subscriber tie a render event to what it synced (added later; events
 * without them stay valid). `catalogPreview` marks an exercise's catalog preview (the only renders
 * announced on the bus today) so a rule can match on it; `fingerprint` is the bundle fingerprint of
 * the asset version rendered, the same value "Bundle Synced" carried, when the consumer knows it.
 */
const previewNoticeFields = {
  catalogPreview: z.boolean({ error: expected('true or false') }).optional(),
  fingerprint: text('the bundle fingerprint').optional(),
};

export const renderReadyDetailSchema = z.object({
  exercise: slugSchema,
  language: languageSchema,
  renderId: renderIdSchema,
  assetVersion: assetVersionSchema,
  recipeHash: text('the recipe hash'),
  bunnyVideoId: z.string({ error: expected('the Bunny Stream video id') }).optional(),
  playbackUrl: text('the playback URL'),
  durationSeconds: z
    .number({ error: expected('a duration in seconds') })
    .min(0, { error: expected('a duration >= 0 seconds') }),
  ...previewNoticeFields,
  /**
   * Where a person watches the preview: the Bunny playback URL, or the consumer's status page
   * playing this render (the local publisher's playback URL is a path on the consumer).
   */
  previewUrl: z.url({ protocol: /^https?$/, error: expected('an http(s) URL') }).optional(),
});

export const renderFailedDetailSchema = z.object({
  exercise: slugSchema,
  language: languageSchema.optional(),
  assetVersion: assetVersionSchema,
  recipeHash: text('the recipe hash').optional(),
  error: text('the error message'),
  ...previewNoticeFields,
});

export const refreshRequestedDetailSchema = z.object({
  exercise: slugSchema,
  /** Bump the asset version and render again even though the bundle did not change. */
  force: z.boolean({ error: expected('true or false') }).default(false),
  requestedBy: optionalText,
  /**
   * Identifies one request across redeliveries of its message: a forced refresh bumps the asset
   * version once per id, however often SQS (or an operator's replay) delivers it.
   */
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .optional()
    .catch(undefined),
});

export type RefreshRequestedDetail = z.output<typeof refreshRequestedDetailSchema>;
export type BundleSyncedDetail = z.output<typeof bundleSyncedDetailSchema>;
export type QcFindingDetail = z.output<typeof qcFindingSchema>;
export type DeliveryRefusedDetail = z.output<typeof deliveryRefusedDetailSchema>;
export type RefusalReason = z.output<typeof refusalReasonSchema>;
export type RenderReadyDetail = z.output<typeof renderReadyDetailSchema>;
export type RenderFailedDetail = z.output<typeof renderFailedDetailSchema>;

export interface EventEnvelope {
  source: string;
  detailType: string;
  /** ISO 8601. */
  time: string;
  /** Informational only: emulators hard-code it and AWS delivers at least once. */
  id?: string;
  account?: string;
  region?: string;
}

export interface ObjectEventMessage {
  bucket: string;
  /** The object key exactly as the event carried it. */
  key: string;
  size?: number;
  /** Without surrounding quotes. */
  etag?: string;
  time: string;
  /** What S3 did: `PutObject`, `CompleteMultipartUpload`, `DeleteObject`… (moto: `ObjectCreated`). */
  reason?: string;
  versionId?: string;
  envelope: EventEnvelope;
}

export type PipelineMessage =
  | ({ type: 'object-created' } & ObjectEventMessage)
  | ({ type: 'object-deleted'; deletionType?: string } & ObjectEventMessage)
  | ({ type: 'bundle-synced'; envelope: EventEnvelope } & BundleSyncedDetail)
  | ({ type: 'delivery-refused'; envelope: EventEnvelope } & DeliveryRefusedDetail)
  | ({ type: 'render-ready'; envelope: EventEnvelope } & RenderReadyDetail)
  | ({ type: 'render-failed'; envelope: EventEnvelope } & RenderFailedDetail)
  | ({ type: 'refresh-requested'; envelope: EventEnvelope } & RefreshRequestedDetail);

export type PipelineMessageType = PipelineMessage['type'];

/**
 * `ignorable` marks a well-formed event from one of our sources whose detail type the pipeline does
 * not consume (S3's "Object Tags Added", which moto emits on every upload, "Object ACL Updated"…):
 * acknowledge it rather than retrying it into the dead-letter queue.
 */
export type PipelineMessageResult =
  | { ok: true; message: PipelineMessage }
  | { ok: false; reason: string; ignorable?: boolean };

/** Which detail types each source may send, with the message type each becomes. */
const ROUTES: Record<string, Record<string, PipelineMessageType>> = {
  [SOURCES.s3]: {
    [DETAIL_TYPES.objectCreated]: 'object-created',
    [DETAIL_TYPES.objectDeleted]: 'object-deleted',
  },
  [SOURCES.ingest]: {
    [DETAIL_TYPES.bundleSynced]: 'bundle-synced',
    [DETAIL_TYPES.deliveryRefused]: 'delivery-refused',
  },
  [SOURCES.render]: {
    [DETAIL_TYPES.renderReady]: 'render-ready',
    [DETAIL_TYPES.renderFailed]: 'render-failed',
  },
  [SOURCES.ops]: {
    [DETAIL_TYPES.refreshRequested]: 'refresh-requested',
  },
};

const DETAIL_SCHEMAS = {
  'bundle-synced': bundleSyncedDetailSchema,
  'delivery-refused': deliveryRefusedDetailSchema,
  'render-ready': renderReadyDetailSchema,
  'render-failed': renderFailedDetailSchema,
  'refresh-requested': refreshRequestedDetailSchema,
} as const;

function fieldProblems(error: z.ZodError, prefix: string): string {
  return toFieldIssues(error, prefix)
    .map((issue) => `${issue.field}: ${issue.message}`)
    .join('; ');
}

/**
 * Reads a queue message body (JSON text or an already parsed object) as one of the pipeline's
 * events. Never throws: a failure carries one reason naming what is wrong, for the log and the
 * dead-letter queue.
 */
export function parsePipelineMessage(body: unknown): PipelineMessageResult {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      const preview = body.length > 60 ? `${body.slice(0, 57)}...` : body;
      return { ok: false, reason: `body is not JSON: ${JSON.stringify(preview)}` };
    }
  }
  if (!isRecord(value))
    return { ok: false, reason: `body is not a JSON object, got ${describeValue(value)}` };

  const envelope = eventEnvelopeSchema.safeParse(value);
  if (!envelope.success) {
    return { ok: false, reason: `not an EventBridge event: ${fieldProblems(envelope.error, '')}` };
  }
  const event = envelope.data;
  const routes = ROUTES[event.source];
  if (routes === undefined) {
    const known = Object.values(SOURCES).join(', ');
    return { ok: false, reason: `unknown source ${JSON.stringify(event.source)}; expected one of ${known}` };
  }
  const type = routes[event['detail-type']];
  if (type === undefined) {
    const known = Object.keys(routes)
      .map((t) => JSON.stringify(t))
      .join(', ');
    return {
      ok: false,
      reason: `unknown detail-type ${JSON.stringify(event['detail-type'])} from ${event.source}; expected ${known}`,
      ignorable: true,
    };
  }
  const meta: EventEnvelope = { source: event.source, detailType: event['detail-type'], time: event.time };
  if (event.id !== undefined) meta.id = event.id;
  if (event.account !== undefined) meta.account = event.account;
  if (event.region !== undefined) meta.region = event.region;

  if (type === 'object-created' || type === 'object-deleted') {
    const detail = s3ObjectDetailSchema.safeParse(event.detail);
    if (!detail.success) {
      return { ok: false, reason: `"${meta.detailType}" ${fieldProblems(detail.error, 'detail')}` };
    }
    const { bucket, object, reason } = detail.data;
    const message: ObjectEventMessage = {
      bucket: bucket.name,
      key: object.key,
      time: meta.time,
      envelope: meta,
    };
    if (typeof object.size === 'number') message.size = object.size;
    const etag = object.etag ?? object.eTag;
    if (typeof etag === 'string' && bareEtag(etag) !== '') message.etag = bareEtag(etag);
    if (reason !== undefined) message.reason = reason;
    if (typeof object['version-id'] === 'string') message.versionId = object['version-id'];
    if (type === 'object-created') return { ok: true, message: { type, ...message } };
    const deletionType = detail.data['deletion-type'];
    return {
      ok: true,
      message: { type, ...message, ...(deletionType === undefined ? {} : { deletionType }) },
    };
  }

  const detail = DETAIL_SCHEMAS[type].safeParse(event.detail);
  if (!detail.success)
    return { ok: false, reason: `"${meta.detailType}" ${fieldProblems(detail.error, 'detail')}` };
  return { ok: true, message: { type, envelope: meta, ...detail.data } as PipelineMessage };
}
