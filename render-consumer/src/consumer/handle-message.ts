import {
  type Message,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from '@exercise-pipeline/shared';
import type { CatalogDb } from '../catalog/database.js';
import { recordDelivery } from '../catalog/deliveries.js';
import { recordMessageFailure } from '../catalog/failures.js';
import { classifyMessage } from './classify-message.js';
import { describeFailure, isPermanentFailure } from './errors.js';
import type { RefreshOutcome, RefreshRequest } from './refresh-exercise.js';

/** Message attributes put on a message moved to the dead-letter queue by the consumer itself. */
export const DLQ_ATTRIBUTES = {
  reason: 'failure_reason',
  failedAt: 'failed_at',
  sourceQueue: 'source_queue',
  exercise: 'exercise',
  /** How often the render queue had delivered the message, and when it first did. */
  receiveCount: 'receive_count',
  firstReceivedAt: 'first_received_at',
} as const;

/** Attribute counting how often a message was deferred while its bundle was not quiet yet. */
export const DEFERRALS_ATTRIBUTE = 'deferrals';

/**
 * Attribute of a deferred copy of a forced refresh: the asset version its bump produced. The copy
 * carries the same body (`force: true`), and forcing again when it returns would bump once more and
 * supersede the previews that version is rendering; it only finishes what that bump started.
 */
export const FORCED_VERSION_ATTRIBUTE = 'forced_version';

/**
 * Attribute of a copy made to share an asset change's languages between consumers: the index of
 * the manifest language the copy starts with (see RefreshRequest.shareLanguages).
 */
export const LANGUAGE_OFFSET_ATTRIBUTE = 'language_offset';

export interface HandleDeps {
  db: CatalogDb;
  sqs: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  bucket: string;
  refresh: (request: RefreshRequest) => Promise<RefreshOutcome>;
  logger?: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** Counts outcomes for /metrics. */
  onOutcome?: (outcome: HandleOutcome) => void;
  /**
   * Aborted when the process shuts down and cancels its renders: a failure then is the shutdown's,
   * not the message's, so it is not recorded as the message's failure reason.
   */
  shutdownSignal?: AbortSignal | undefined;
}

export type HandleOutcome = 'processed' | 'ignored' | 'deferred' | 'dead-lettered' | 'failed';

/**
 * Handles one queue message to the end: resolves when the message can be deleted (done, ignored,
 * deferred by a delayed copy, or moved to the dead-letter queue), and throws when it must stay on
 * the queue for a retry (a transient failure, whose reason is recorded against the message id).
 */
export async function handleMessage(deps: HandleDeps, message: Message): Promise<HandleOutcome> {
  const messageId = message.MessageId ?? 'unknown';
  const action = classifyMessage(message.Body, deps.bucket);
  const log = deps.logger;
  const finish = (outcome: HandleOutcome): HandleOutcome => {
    deps.onOutcome?.(outcome);
    return outcome;
  };

  switch (action.action) {
    case 'ignore':
      log?.debug({ messageId, reason: action.reason }, 'message ignored');
      return finish('ignored');
    case 'dead-letter':
      await deadLetter(deps, message, action.reason, action.exercise);
      return finish('dead-lettered');
    case 'record-refusal': {
      const refusal = action.message;
      try {
        await recordDelivery(deps.db, {
          outcome: 'refused',
          delivery: refusal.delivery,
          exercise: refusal.exercise ?? null,
          host: refusal.host,
          reasons: refusal.reasons,
          event_time: new Date(refusal.envelope.time),
        });
      } catch (error) {
        return failed(deps, message, error, refusal.exercise);
      }
      log?.info(
        { messageId, delivery: refusal.delivery, reasons: refusal.reasons.length },
        'delivery refused',
      );
      return finish('processed');
    }
    case 'refresh': {
      const exercise = action.exercise;
      try {
        if (action.message.type === 'bundle-synced') {
          await recordDelivery(deps.db, {
            outcome: 'synced',
            exercise,
            delivery: action.message.delivery ?? null,
            host: action.message.host ?? null,
            reasons: [],
            changed_keys: action.message.changedKeys,
            findings: action.message.findings ?? [],
            fingerprint: action.message.fingerprint,
            event_time: new Date(action.message.envelope.time),
          });
        }
        const forcedVersion = forcedVersionOf(message);
        if (action.force && forcedVersion !== undefined) {
          log?.debug({ messageId, exercise, forcedVersion }, 'forced refresh already bumped; finishing it');
        }
        const languageOffset = languageOffsetOf(message);
        const outcome = await deps.refresh({
          exercise,
          ...(action.syncedFingerprint ? { syncedFingerprint: action.syncedFingerprint } : {}),
          ...(action.force && forcedVersion === undefined ? { force: true } : {}),
          ...(action.forceRequestId ? { forceRequestId: action.forceRequestId } : {}),
          ...(languageOffset === undefined ? {} : { languageOffset }),
          ...(action.trigger === 'object' && languageOffset === undefined ? { coalescible: true } : {}),
          // Sharing only speeds the change up: this handling renders whatever no copy took, so a
          // copy that could not be sent loses nothing.
          shareLanguages: async (copies, assetVersion) => {
            await shareLanguages(deps, message, copies, action.force ? assetVersion : undefined).then(
              () => log?.debug({ messageId, exercise, copies }, 'languages shared with other consumers'),
              (error: unknown) =>
                log?.warn(
                  { messageId, exercise, err: error },
                  'could not share the languages; rendering them here',
                ),
            );
          },
        });
        if (outcome.outcome === 'deferred') {
          await defer(deps, message, outcome.delaySeconds, outcome.forcedVersion ?? forcedVersion);
          log?.debug(
            { messageId, exercise, delaySeconds: outcome.delaySeconds },
            'bundle still changing or rendered elsewhere: deferred',
          );
          return finish('deferred');
        }
        log?.info({ messageId, exercise, ...outcome }, `exercise ${outcome.outcome}`);
        return finish('processed');
      } catch (error) {
        return failed(deps, message, error, exercise);
      }
    }
  }
}

/**
 * The end of a message whose handling threw: straight to the DLQ when retrying cannot help
 * (resolves, so the original is deleted), else the reason is recorded against the message id and
 * the error rethrown so SQS retries it (and its redrive policy ends in the DLQ).
 */
async function failed(
  deps: HandleDeps,
  message: Message,
  error: unknown,
  exercise: string | undefined,
): Promise<HandleOutcome> {
  const messageId = message.MessageId ?? 'unknown';
  const log = deps.logger;
  if (deps.shutdownSignal?.aborted) {
    log?.info({ messageId, exercise }, 'render cancelled by shutdown; the message goes back to the queue');
    deps.onOutcome?.('failed');
    throw error;
  }
  const reason = describeFailure(error);
  if (isPermanentFailure(error)) {
    await deadLetter(deps, message, reason, exercise);
    deps.onOutcome?.('dead-lettered');
    return 'dead-lettered';
  }
  await recordMessageFailure(deps.db, { messageId, exercise: exercise ?? null, reason }).catch((dbError) =>
    log?.error({ messageId, err: dbError }, 'could not record the failure reason'),
  );
  log?.warn({ messageId, exercise, reason }, 'message failed; SQS will retry it');
  deps.onOutcome?.('failed');
  throw error;
}

/**
 * Moves a message that retries cannot fix to the dead-letter queue now, with the reason, time and
 * source queue as attributes, and records the reason. The caller deletes the original afterwards,
 * so a crash in between leaves a duplicate in the DLQ, never a lost message.
 */
async function deadLetter(
  deps: HandleDeps,
  message: Message,
  reason: string,
  exercise?: string,
): Promise<void> {
  const failedAt = new Date().toISOString();
  const result = await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.dlqUrl,
      MessageBody: message.Body && message.Body.length > 0 ? message.Body : '(empty body)',
      MessageAttributes: {
        [DLQ_ATTRIBUTES.reason]: { DataType: 'String', StringValue: reason.slice(0, 1000) },
        [DLQ_ATTRIBUTES.failedAt]: { DataType: 'String', StringValue: failedAt },
        [DLQ_ATTRIBUTES.sourceQueue]: { DataType: 'String', StringValue: deps.queueUrl },
        ...(exercise ? { [DLQ_ATTRIBUTES.exercise]: { DataType: 'String', StringValue: exercise } } : {}),
        ...receiveAttributes(message),
      },
    }),
  );
  const ids = [message.MessageId, result.MessageId].filter((id): id is string => Boolean(id));
  for (const messageId of ids) {
    await recordMessageFailure(deps.db, {
      messageId,
      exercise: exercise ?? null,
      reason,
      permanent: true,
    }).catch(() => {});
  }
  deps.logger?.warn(
    { messageId: message.MessageId, dlqMessageId: result.MessageId, reason },
    'moved to the DLQ',
  );
}

/**
 * Re-sends the message with a delay; waiting for a sync to end never counts as a receive. A forced
 * refresh's copy says which version its bump made, so it does not bump again (FORCED_VERSION_ATTRIBUTE).
 */
async function defer(
  deps: HandleDeps,
  message: Message,
  delaySeconds: number,
  forcedVersion: number | undefined,
): Promise<void> {
  const previous = Number(message.MessageAttributes?.[DEFERRALS_ATTRIBUTE]?.StringValue ?? '0');
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.queueUrl,
      MessageBody: message.Body ?? '',
      DelaySeconds: delaySeconds,
      MessageAttributes: {
        [DEFERRALS_ATTRIBUTE]: {
          DataType: 'Number',
          StringValue: String((Number.isFinite(previous) ? previous : 0) + 1),
        },
        ...(forcedVersion === undefined
          ? {}
          : { [FORCED_VERSION_ATTRIBUTE]: { DataType: 'Number', StringValue: String(forcedVersion) } }),
      },
    }),
  );
}

/**
 * Puts `copies` copies of the message on the queue at once, copy k starting with language k, for
 * idle consumers to take. A forced refresh's copies say which version its bump made, so none bumps
 * again; the copies of other messages find the change already made and only render.
 */
async function shareLanguages(
  deps: HandleDeps,
  message: Message,
  copies: number,
  forcedVersion: number | undefined,
): Promise<void> {
  for (let first = 0; first < copies; first += 10) {
    const batch = Array.from({ length: Math.min(10, copies - first) }, (_, i) => first + i + 1);
    const result = await deps.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: deps.queueUrl,
        Entries: batch.map((offset) => ({
          Id: String(offset),
          MessageBody: message.Body ?? '',
          MessageAttributes: {
            [LANGUAGE_OFFSET_ATTRIBUTE]: { DataType: 'Number', StringValue: String(offset) },
            ...(forcedVersion === undefined
              ? {}
              : { [FORCED_VERSION_ATTRIBUTE]: { DataType: 'Number', StringValue: String(forcedVersion) } }),
          },
        })),
      }),
    );
    if (result.Failed && result.Failed.length > 0) {
      throw new Error(`${result.Failed.length} of ${batch.length} copies were refused by the queue`);
    }
  }
}

/** The language a shared copy starts with, if the message is such a copy. */
function languageOffsetOf(message: Message): number | undefined {
  const value = Number(message.MessageAttributes?.[LANGUAGE_OFFSET_ATTRIBUTE]?.StringValue);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The asset version an earlier copy of this forced refresh bumped to, if it is such a copy. */
function forcedVersionOf(message: Message): number | undefined {
  const value = Number(message.MessageAttributes?.[FORCED_VERSION_ATTRIBUTE]?.StringValue);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The render queue's receive count and first receive time, which a fresh DLQ message would lose. */
function receiveAttributes(message: Message): Record<string, { DataType: 'String'; StringValue: string }> {
  const count = message.Attributes?.ApproximateReceiveCount;
  const first = Number(message.Attributes?.ApproximateFirstReceiveTimestamp);
  return {
    ...(count ? { [DLQ_ATTRIBUTES.receiveCount]: { DataType: 'String', StringValue: count } } : {}),
    ...(Number.isFinite(first) && first > 0
      ? {
          [DLQ_ATTRIBUTES.firstReceivedAt]: {
            DataType: 'String',
            StringValue: new Date(first).toISOString(),
          },
        }
      : {}),
  };
}
