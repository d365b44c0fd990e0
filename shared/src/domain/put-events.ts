import type { z } from 'zod';
import { MessageInvalidError } from './errors.js';
import {
  bundleSyncedDetailSchema,
  DETAIL_TYPES,
  deliveryRefusedDetailSchema,
  renderFailedDetailSchema,
  renderReadyDetailSchema,
  SOURCES,
} from './events.js';
import { toFieldIssues } from './schema-parts.js';

/** EventBridge refuses an entry above 256 KiB (source, detail type, detail and resources together). */
export const MAX_EVENT_ENTRY_BYTES = 256 * 1024;

/** The pipeline's own events, as their producers describe them (before any envelope exists). */
export type OutgoingEvent =
  | ({ type: 'bundle-synced' } & z.input<typeof bundleSyncedDetailSchema>)
  | ({ type: 'delivery-refused' } & z.input<typeof deliveryRefusedDetailSchema>)
  | ({ type: 'render-ready' } & z.input<typeof renderReadyDetailSchema>)
  | ({ type: 'render-failed' } & z.input<typeof renderFailedDetailSchema>);

/** Structurally a `PutEventsRequestEntry` of @aws-sdk/client-eventbridge, with the fields always set. */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  /** JSON text. */
  Detail: string;
  EventBusName: string;
  Time?: Date;
}

const OUTGOING = {
  'bundle-synced': {
    source: SOURCES.ingest,
    detailType: DETAIL_TYPES.bundleSynced,
    schema: bundleSyncedDetailSchema,
  },
  'delivery-refused': {
    source: SOURCES.ingest,
    detailType: DETAIL_TYPES.deliveryRefused,
    schema: deliveryRefusedDetailSchema,
  },
  'render-ready': {
    source: SOURCES.render,
    detailType: DETAIL_TYPES.renderReady,
    schema: renderReadyDetailSchema,
  },
  'render-failed': {
    source: SOURCES.render,
    detailType: DETAIL_TYPES.renderFailed,
    schema: renderFailedDetailSchema,
  },
} as const;

/**
 * Builds the PutEvents entry for one of the pipeline's own events. The detail is validated with the
 * same schema the receiving side uses, so a malformed event fails here, at its producer, with a
 * MessageInvalidError naming the field, instead of landing in a dead-letter queue later. Fields
 * other than the detail's own (such as an `envelope` or `time`) are not sent in the detail.
 */
export function toPutEventsEntry(
  eventBusName: string,
  event: OutgoingEvent & { time?: Date },
): PutEventsEntry {
  if (eventBusName === '') throw new MessageInvalidError('the event bus name is empty; set EVENT_BUS_NAME');
  const route = OUTGOING[event.type];
  if (route === undefined) {
    throw new MessageInvalidError(
      `cannot send an event of type ${JSON.stringify(event.type)} with PutEvents`,
    );
  }
  const { type: _type, time, ...detail } = event;
  const parsed = route.schema.safeParse(detail);
  if (!parsed.success) {
    const problems = toFieldIssues(parsed.error, 'detail')
      .map((issue) => `${issue.field}: ${issue.message}`)
      .join('; ');
    throw new MessageInvalidError(`"${route.detailType}" ${problems}`);
  }
  const entry: PutEventsEntry = {
    Source: route.source,
    DetailType: route.detailType,
    Detail: JSON.stringify(parsed.data),
    EventBusName: eventBusName,
  };
  if (time !== undefined) entry.Time = time;
  const size =
    Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Detail);
  if (size > MAX_EVENT_ENTRY_BYTES) {
    throw new MessageInvalidError(
      `"${route.detailType}" is ${size} bytes, above EventBridge's ${MAX_EVENT_ENTRY_BYTES}; shorten its lists or texts`,
    );
  }
  return entry;
}
