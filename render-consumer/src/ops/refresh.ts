import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { assertSlug, DETAIL_TYPES, SOURCES } from '@exercise-pipeline/shared';

export interface RefreshRequestInput {
  sqs: SQSClient;
  queueUrl: string;
  exercise: string;
  /** Re-render even though the bundle did not change (bumps the asset version). */
  force: boolean;
  /** Who asked, for the logs; default `user@host`. */
  requestedBy?: string;
}

/**
 * Asks the consumers to look at one exercise again: a "Refresh Requested" message (source
 * exercise-pipeline.ops) on the render queue, in the EventBridge envelope every message there has.
 * Without `force` it is the same as an S3 event for the exercise (re-renders failed or missing
 * previews); with `force` the next consumer bumps the asset version and renders every preview again.
 * Sent to the queue, not the bus, so it reaches exactly this pipeline's consumers.
 */
export async function requestRefresh(
  input: RefreshRequestInput,
): Promise<{ messageId: string; requestId: string }> {
  const body = refreshRequestBody(input);
  const sent = await input.sqs.send(
    new SendMessageCommand({ QueueUrl: input.queueUrl, MessageBody: JSON.stringify(body) }),
  );
  return { messageId: sent.MessageId ?? '', requestId: body.detail.requestId };
}

/**
 * The "Refresh Requested" message, with a fresh `requestId`: every delivery of this one message
 * (SQS delivers at least once; a consumer killed mid-render hands it back) is the same request, so a
 * forced refresh bumps the asset version once.
 */
export function refreshRequestBody(input: Omit<RefreshRequestInput, 'sqs' | 'queueUrl'>) {
  assertSlug(input.exercise);
  const requestedBy = input.requestedBy ?? `${safeUser()}@${hostname()}`;
  return {
    version: '0',
    source: SOURCES.ops,
    'detail-type': DETAIL_TYPES.refreshRequested,
    time: new Date().toISOString(),
    resources: [],
    detail: { exercise: input.exercise, force: input.force, requestedBy, requestId: randomUUID() },
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
