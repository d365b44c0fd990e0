import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { abortable, PipelineError, toPutEventsEntry } from '@exercise-pipeline/shared';
import { englishReason, type RefusalReason } from '../plan/refusal.js';

export interface DeliveryRefusedInput {
  /** The delivery folder's name, as the team knows it. */
  delivery: string;
  exercise?: string;
  reasons: readonly RefusalReason[];
  /** The machine the agent runs on, so operators know which share to look at. */
  host: string;
}

/** EventBridge accepted the call but not the "Delivery Refused" entry. */
export class RefusalPublishError extends PipelineError {
  constructor(eventBusName: string, code: string | undefined, message: string | undefined) {
    super(
      `event bus "${eventBusName}" did not take the "Delivery Refused" event: ${code ?? 'unknown error'} ${message ?? ''}`.trim(),
      { code: 'EVENT_PUBLISH_FAILED', retryable: code === undefined || /Internal|Throttl/i.test(code) },
    );
  }
}

/** Enough for any real delivery; beyond it the event would near EventBridge's 256 KiB entry limit. */
const MAX_REASONS = 50;

/**
 * The first reasons, and one that says how many more the report in the folder lists. Operators
 * read the event: English problem and fix, whatever language the team's report is in.
 */
export function eventReasons(reasons: readonly RefusalReason[]): RefusalReason[] {
  if (reasons.length <= MAX_REASONS) return reasons.map(englishReason);
  return [
    ...reasons.slice(0, MAX_REASONS - 1).map(englishReason),
    {
      problem: `${reasons.length - MAX_REASONS + 1} more problems`,
      fix: 'Read _REPORT.txt in the delivery folder for the full list',
    },
  ];
}

/** Puts one "Delivery Refused" event on the bus so operators see refused deliveries centrally. */
export async function publishDeliveryRefused(
  events: EventBridgeClient,
  eventBusName: string,
  input: DeliveryRefusedInput,
  signal?: AbortSignal,
): Promise<void> {
  const entry = toPutEventsEntry(eventBusName, {
    type: 'delivery-refused',
    delivery: input.delivery,
    ...(input.exercise === undefined ? {} : { exercise: input.exercise }),
    reasons: eventReasons(input.reasons),
    host: input.host,
  });
  const result = await events.send(new PutEventsCommand({ Entries: [entry] }), abortable(signal));
  const failed = result.Entries?.[0];
  if ((result.FailedEntryCount ?? 0) > 0 || failed?.ErrorCode !== undefined) {
    throw new RefusalPublishError(eventBusName, failed?.ErrorCode, failed?.ErrorMessage);
  }
}
