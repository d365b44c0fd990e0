import {
  type PipelineMessage,
  parseBundleKey,
  parsePipelineMessage,
  splitBundleKey,
} from '@exercise-pipeline/shared';

/** What the consumer does with one queue message; decided without any I/O. */
export type MessageAction =
  /** Look at the exercise's bundle in S3 and refresh its catalog previews when it changed. */
  | {
      action: 'refresh';
      exercise: string;
      trigger: 'object' | 'bundle-synced' | 'operator';
      /** The fingerprint the agent announced ("Bundle Synced" only). */
      syncedFingerprint?: string;
      /** An operator asked to re-render even though the bundle did not change. */
      force?: boolean;
      /** The id of that forced request, so a redelivery does not bump the asset version again. */
      forceRequestId?: string;
      message: PipelineMessage;
    }
  /** Keep the agent's word for the status page ("Bundle Synced" also refreshes, see `refresh`). */
  | { action: 'record-refusal'; message: Extract<PipelineMessage, { type: 'delivery-refused' }> }
  /** Well-formed but not for this consumer (e.g. S3 "Object Tags Added"): acknowledge. */
  | { action: 'ignore'; reason: string }
  /** Retrying cannot help: straight to the dead-letter queue with the reason. */
  | { action: 'dead-letter'; reason: string; exercise?: string };

/**
 * Classifies a raw queue message body. `bucket` is the assets bucket this consumer serves: an event
 * of another bucket is a routing mistake and goes to the dead-letter queue rather than being acted on.
 */
export function classifyMessage(body: string | undefined, bucket: string): MessageAction {
  if (body === undefined || body === '') return { action: 'dead-letter', reason: 'the message has no body' };
  const parsed = parsePipelineMessage(body);
  if (!parsed.ok) {
    if (parsed.ignorable) return { action: 'ignore', reason: parsed.reason };
    return { action: 'dead-letter', reason: parsed.reason };
  }
  const message = parsed.message;
  switch (message.type) {
    case 'object-created':
    case 'object-deleted': {
      if (message.bucket !== bucket) {
        return {
          action: 'dead-letter',
          reason: `the event is for bucket "${message.bucket}", but this consumer serves "${bucket}": check the rule's event pattern`,
        };
      }
      const parts = splitBundleKey(message.key);
      if (!parts || parseBundleKey(parts.relative) === null) {
        return {
          action: 'dead-letter',
          reason: `the key "${message.key}" is outside the bundle layout ({exercise}/manifest.json, {exercise}/{slot}-video-{n}.mp4, {exercise}/audio/{lang}/{slot}-vo-{n}.mp3)`,
          ...(parts ? { exercise: parts.slug } : {}),
        };
      }
      return { action: 'refresh', exercise: parts.slug, trigger: 'object', message };
    }
    case 'bundle-synced':
      if (message.bucket !== bucket) {
        return {
          action: 'dead-letter',
          reason: `"Bundle Synced" names bucket "${message.bucket}", but this consumer serves "${bucket}"`,
          exercise: message.exercise,
        };
      }
      return {
        action: 'refresh',
        exercise: message.exercise,
        trigger: 'bundle-synced',
        syncedFingerprint: message.fingerprint,
        message,
      };
    case 'delivery-refused':
      return { action: 'record-refusal', message };
    case 'refresh-requested':
      return {
        action: 'refresh',
        exercise: message.exercise,
        trigger: 'operator',
        ...(message.force ? { force: true } : {}),
        ...(message.force && message.requestId ? { forceRequestId: message.requestId } : {}),
        message,
      };
    case 'render-ready':
    case 'render-failed':
      // The render rule never routes these here; one that arrives anyway is harmless to drop.
      return {
        action: 'ignore',
        reason: `"${message.envelope.detailType}" is for the platform's other services`,
      };
  }
}
