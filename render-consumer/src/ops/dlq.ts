import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Queryable } from '../catalog/database.js';
import { findMessageFailures, type MessageFailureRow } from '../catalog/failures.js';
import {
  type DeadLetterDetail,
  type DeadLetterEntry,
  describeDeadLetter,
  describeDeadLetterDetail,
  forwardedAttributes,
} from './dead-letter-entry.js';

/**
 * Operations on the dead-letter queue. SQS has no way to read a queue without receiving from it,
 * so a look receives every message with a short visibility hold (which keeps the next receive from
 * returning the same ones, so the walk ends) and then makes them visible again at once. Moving
 * messages back is receive → send → delete, because the emulator lacks StartMessageMoveTask; a
 * message is only ever deleted after its copy was accepted by the render queue.
 */

export interface DeadLetterQueue {
  sqs: SQSClient;
  /** RENDER_DLQ_URL. */
  dlqUrl: string;
}

export interface WalkOptions {
  /** How long the walk hides what it received; default 30 s (it is released right after). */
  holdSeconds?: number;
  /** Stop after this many distinct messages; default 1000. */
  maxMessages?: number;
}

const DEFAULT_HOLD_SECONDS = 30;
const DEFAULT_MAX_MESSAGES = 1000;
const BATCH = 10;

/** Receives one batch of the queue with every attribute, hidden for `holdSeconds`. */
async function receiveBatch(queue: DeadLetterQueue, holdSeconds: number): Promise<Message[]> {
  const received = await queue.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.dlqUrl,
      MaxNumberOfMessages: BATCH,
      VisibilityTimeout: holdSeconds,
      // A long poll asks every SQS server, so an empty answer means an empty (or fully held) queue.
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return received.Messages ?? [];
}

/** Every message of the DLQ (up to maxMessages), held invisible; release them with releaseDeadLetters. */
export async function receiveDeadLetters(
  queue: DeadLetterQueue,
  options: WalkOptions = {},
): Promise<Message[]> {
  const hold = options.holdSeconds ?? DEFAULT_HOLD_SECONDS;
  const max = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
  const seen = new Map<string, Message>();
  while (seen.size < max) {
    const batch = await receiveBatch(queue, hold);
    if (batch.length === 0) break;
    // A message seen again (the hold ran out during a long walk) keeps its newest receipt handle,
    // the only one SQS is sure to accept.
    for (const message of batch) seen.set(message.MessageId ?? '', message);
  }
  return [...seen.values()];
}

/** Makes held messages visible again; best effort, as an unreleased one reappears after the hold anyway. */
export async function releaseDeadLetters(
  queue: DeadLetterQueue,
  messages: readonly Message[],
): Promise<void> {
  const handles = messages.map((m) => m.ReceiptHandle).filter((h): h is string => h !== undefined);
  for (let start = 0; start < handles.length; start += BATCH) {
    const entries = handles
      .slice(start, start + BATCH)
      .map((handle, index) => ({ Id: String(index), ReceiptHandle: handle, VisibilityTimeout: 0 }));
    await queue.sqs
      .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queue.dlqUrl, Entries: entries }))
      .catch(() => {});
  }
}

/** The recorded reasons of failed messages: the catalog itself, or a lookup (the running consumer's API). */
export type FailureSource = Queryable | ((ids: readonly string[]) => Promise<MessageFailureRow[]>);

async function failuresOf(
  db: FailureSource | undefined,
  messages: readonly Message[],
): Promise<Map<string, MessageFailureRow>> {
  if (!db) return new Map();
  const ids = messages.map((m) => m.MessageId).filter((id): id is string => id !== undefined);
  const rows = typeof db === 'function' ? await db(ids) : await findMessageFailures(db, ids);
  return new Map(rows.map((row) => [row.message_id, row]));
}

/**
 * What is in the DLQ and why, without consuming it. `db` supplies the reasons the consumer recorded
 * for transient failures; without it only the consumer's own DLQ attributes give a reason.
 */
export async function listDeadLetters(
  queue: DeadLetterQueue,
  db?: FailureSource,
  options: WalkOptions = {},
): Promise<DeadLetterEntry[]> {
  const messages = await receiveDeadLetters(queue, options);
  try {
    const failures = await failuresOf(db, messages);
    return messages.map((message) => describeDeadLetter(message, failures)).sort(byFirstReceive);
  } finally {
    await releaseDeadLetters(queue, messages);
  }
}

/** One message with its full body and attributes, or null when the DLQ does not hold that id. */
export async function showDeadLetter(
  queue: DeadLetterQueue,
  messageId: string,
  db?: FailureSource,
  options: WalkOptions = {},
): Promise<DeadLetterDetail | null> {
  const messages = await receiveDeadLetters(queue, options);
  try {
    const message = messages.find((m) => m.MessageId === messageId);
    if (!message) return null;
    return describeDeadLetterDetail(message, await failuresOf(db, [message]));
  } finally {
    await releaseDeadLetters(queue, messages);
  }
}

export interface RedriveResult {
  /** Moved back: the DLQ id and the id the render queue gave the copy. */
  moved: { messageId: string; newMessageId: string }[];
  /** Not moved (send failed: still in the DLQ) or moved but not removed (delete failed: in both queues). */
  failed: { messageId: string; error: string }[];
  /** Requested ids the DLQ does not hold. */
  notFound: string[];
}

/** `{ all: true }` moves everything; otherwise only the listed message ids. */
export type RedriveSelection = { all: true } | { messageIds: readonly string[] };

/** Moves dead-lettered messages back to the render queue (RENDER_QUEUE_URL), body unchanged. */
export async function redriveDeadLetters(
  queue: DeadLetterQueue & { queueUrl: string },
  selection: RedriveSelection,
  options: WalkOptions = {},
): Promise<RedriveResult> {
  if (queue.queueUrl === queue.dlqUrl) {
    throw new TypeError(
      `RENDER_QUEUE_URL and RENDER_DLQ_URL are the same queue (${queue.dlqUrl}); point RENDER_QUEUE_URL at the render queue`,
    );
  }
  const result: RedriveResult = { moved: [], failed: [], notFound: [] };
  if ('all' in selection) {
    // Batch by batch: moved messages are gone and failed ones stay held until the hold ends, so
    // the walk stops once every message was tried (a message seen twice ends it too).
    const hold = options.holdSeconds ?? DEFAULT_HOLD_SECONDS;
    const tried = new Set<string>();
    for (;;) {
      const batch = (await receiveBatch(queue, hold)).filter((m) => !tried.has(m.MessageId ?? ''));
      if (batch.length === 0) break;
      for (const message of batch) {
        tried.add(message.MessageId ?? '');
        await moveOne(queue, message, result);
      }
    }
    return result;
  }
  const wanted = new Set(selection.messageIds);
  const messages = await receiveDeadLetters(queue, options);
  const rest: Message[] = [];
  try {
    for (const message of messages) {
      const chosen = wanted.delete(message.MessageId ?? '');
      // A message whose copy could not be sent stays in the DLQ and is released with the rest.
      if (!chosen || !(await moveOne(queue, message, result))) rest.push(message);
    }
  } finally {
    await releaseDeadLetters(queue, rest);
  }
  result.notFound.push(...wanted);
  return result;
}

/** Sends the copy, then deletes the original; false when the send failed (the original is untouched). */
async function moveOne(
  queue: DeadLetterQueue & { queueUrl: string },
  message: Message,
  result: RedriveResult,
): Promise<boolean> {
  const messageId = message.MessageId ?? '';
  let newMessageId: string;
  try {
    const sent = await queue.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: message.Body ?? '',
        MessageAttributes: forwardedAttributes(message.MessageAttributes),
      }),
    );
    newMessageId = sent.MessageId ?? '';
  } catch (error) {
    result.failed.push({ messageId, error: `not moved, still in the DLQ: ${errorText(error)}` });
    return false;
  }
  try {
    await queue.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queue.dlqUrl, ReceiptHandle: message.ReceiptHandle }),
    );
    result.moved.push({ messageId, newMessageId });
  } catch (error) {
    result.failed.push({
      messageId,
      error: `copied to the render queue as ${newMessageId} but not removed from the DLQ (the consumer treats the repeat as a no-op): ${errorText(error)}`,
    });
  }
  return true;
}

export interface DeadLetterCounts {
  visible: number;
  /** Received by someone and not deleted or released yet. */
  inFlight: number;
  delayed: number;
}

export async function countDeadLetters(queue: DeadLetterQueue): Promise<DeadLetterCounts> {
  const { Attributes: attributes = {} } = await queue.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.dlqUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const count = (text: string | undefined) => Number(text ?? '0') || 0;
  return {
    visible: count(attributes.ApproximateNumberOfMessages),
    inFlight: count(attributes.ApproximateNumberOfMessagesNotVisible),
    delayed: count(attributes.ApproximateNumberOfMessagesDelayed),
  };
}

/** Deletes every message of the DLQ, held ones included. SQS allows one purge per queue a minute. */
export async function purgeDeadLetters(queue: DeadLetterQueue): Promise<void> {
  await queue.sqs.send(new PurgeQueueCommand({ QueueUrl: queue.dlqUrl }));
}

function byFirstReceive(a: DeadLetterEntry, b: DeadLetterEntry): number {
  return (
    (a.firstReceivedAt ?? '').localeCompare(b.firstReceivedAt ?? '') || a.messageId.localeCompare(b.messageId)
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
