import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { parsePipelineMessage, splitBundleKey } from '@exercise-pipeline/shared';
import type { MessageFailureRow } from '../catalog/failures.js';
import { DEFERRALS_ATTRIBUTE, DLQ_ATTRIBUTES } from '../consumer/handle-message.js';

/** What `dlq list` reports for one dead-lettered message. */
export interface DeadLetterEntry {
  messageId: string;
  /**
   * Receives before this look. SQS counts every receive, the operator's own looks included, and a
   * message moved by the redrive policy keeps the count it had on the render queue.
   */
  receiveCount: number;
  /** ISO time of the first receive (on the render queue for redrive-policy moves), or null. */
  firstReceivedAt: string | null;
  /** ISO time the message was sent to the queue it is in now, or null. */
  sentAt: string | null;
  exercise: string | null;
  reason: string;
  /** Where `reason` came from: the consumer's DLQ attribute, the catalog's message_failures, or nowhere. */
  reasonSource: 'attribute' | 'catalog' | 'none';
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  body: unknown;
}

/** `dlq show` adds the raw body and every message attribute. */
export interface DeadLetterDetail extends DeadLetterEntry {
  rawBody: string;
  attributes: Record<string, string>;
}

export const NO_REASON = 'no reason recorded';

/**
 * Builds the report of one received DLQ message. The reason is the consumer's `failure_reason`
 * attribute (permanent failures it moved itself), else the last failure recorded against the
 * message id (transient failures the redrive policy moved with the same id), else NO_REASON.
 */
export function describeDeadLetter(
  message: Message,
  failures: ReadonlyMap<string, MessageFailureRow> = new Map(),
): DeadLetterEntry {
  const messageId = message.MessageId ?? '';
  const attributes = message.MessageAttributes ?? {};
  const system = message.Attributes ?? {};
  const recorded = failures.get(messageId);
  const attributeReason = attributes[DLQ_ATTRIBUTES.reason]?.StringValue;
  const reason = attributeReason ?? recorded?.reason ?? NO_REASON;
  return {
    messageId,
    receiveCount: receiveCountOf(message, recorded),
    firstReceivedAt:
      attributes[DLQ_ATTRIBUTES.firstReceivedAt]?.StringValue ??
      isoOfEpochMs(system.ApproximateFirstReceiveTimestamp),
    sentAt: isoOfEpochMs(system.SentTimestamp),
    exercise:
      attributes[DLQ_ATTRIBUTES.exercise]?.StringValue ?? recorded?.exercise ?? exerciseOfBody(message.Body),
    reason,
    reasonSource: attributeReason !== undefined ? 'attribute' : recorded ? 'catalog' : 'none',
    body: parseBody(message.Body),
  };
}

export function describeDeadLetterDetail(
  message: Message,
  failures: ReadonlyMap<string, MessageFailureRow> = new Map(),
): DeadLetterDetail {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    attributes[name] = value.StringValue ?? `(${value.DataType ?? 'binary'} value)`;
  }
  return { ...describeDeadLetter(message, failures), rawBody: message.Body ?? '', attributes };
}

/**
 * How often the render queue delivered the message: the count the consumer noted when it moved
 * the message itself, else the failures it recorded against the id (the redrive policy keeps the
 * id), else SQS's own count less this look. Looking at the DLQ is a receive too, so SQS's count
 * alone would climb with every `dlq list` and status-page refresh.
 */
function receiveCountOf(message: Message, recorded: MessageFailureRow | undefined): number {
  const noted = Number(message.MessageAttributes?.[DLQ_ATTRIBUTES.receiveCount]?.StringValue);
  if (Number.isFinite(noted) && noted > 0) return noted;
  if (recorded && recorded.failures > 0) return recorded.failures;
  const receives = Number(message.Attributes?.ApproximateReceiveCount ?? '0');
  return Number.isFinite(receives) ? Math.max(0, receives - 1) : 0;
}

/** The exercise a message body is about: "Bundle Synced"/"Delivery Refused" name it, object keys start with it. */
export function exerciseOfBody(body: string | undefined): string | null {
  if (body === undefined || body === '') return null;
  const parsed = parsePipelineMessage(body);
  if (!parsed.ok) return null;
  const message = parsed.message;
  switch (message.type) {
    case 'object-created':
    case 'object-deleted':
      return splitBundleKey(message.key)?.slug ?? null;
    case 'bundle-synced':
    case 'render-ready':
    case 'render-failed':
    case 'refresh-requested':
      return message.exercise;
    case 'delivery-refused':
      return message.exercise ?? null;
  }
}

/**
 * The attributes a redriven message keeps: the consumer's failure notes and the quiet-period deferral
 * count are dropped so the retry starts clean (a fresh failure writes new ones); anything else
 * travels with the body.
 */
export function forwardedAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, MessageAttributeValue> | undefined {
  const dropped = new Set<string>([...Object.values(DLQ_ATTRIBUTES), DEFERRALS_ATTRIBUTE]);
  const kept: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (dropped.has(name) || value.DataType === undefined) continue;
    kept[name] = {
      DataType: value.DataType,
      ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { BinaryValue: value.BinaryValue }),
    };
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}

function parseBody(body: string | undefined): unknown {
  if (body === undefined) return null;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function isoOfEpochMs(text: string | undefined): string | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  return new Date(Number(text)).toISOString();
}
