import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Queryable } from '../catalog/database.js';
import { listDeadLetters } from '../ops/dlq.js';
import type { DeadLetterView, QueueView } from './status-view.js';

const DEPTH_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;

/**
 * A queue's depth, or `depth: null` with the reason when SQS does not answer in time: the status
 * page must still show the catalog when the queue is unreachable. `signal` cancels the request
 * early (a caller with a deadline of its own).
 */
export async function readQueueDepth(
  sqs: SQSClient,
  url: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<QueueView> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const { Attributes: attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...DEPTH_ATTRIBUTES] }),
      { abortSignal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]) },
    );
    const count = (name: (typeof DEPTH_ATTRIBUTES)[number]) => Number(attributes[name] ?? '0') || 0;
    const visible = count('ApproximateNumberOfMessages');
    const inFlight = count('ApproximateNumberOfMessagesNotVisible');
    const delayed = count('ApproximateNumberOfMessagesDelayed');
    return { url, depth: visible + inFlight + delayed, visible, inFlight, delayed };
  } catch (error) {
    return {
      url,
      depth: null,
      visible: null,
      inFlight: null,
      delayed: null,
      error: `GetQueueAttributes on ${url} failed: ${describeError(error, timeoutMs)} — check RENDER_QUEUE_URL/RENDER_DLQ_URL and that SQS (AWS_ENDPOINT_URL) is reachable`,
    };
  }
}

export interface DeadLetterReaderOptions {
  sqs: SQSClient;
  dlqUrl: string;
  /** Supplies the reasons recorded for transient failures (message_failures). */
  db: Queryable;
  /** How long one reading of the DLQ's messages is reused; default 10 s. */
  cacheMs?: number;
  /** Messages listed at most; default 50. */
  maxMessages?: number;
  /** Deadline for each SQS call of a reading; default 5 s. */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Reads the DLQ for the status page. Listing a queue means receiving from it (which hides the
 * messages briefly and counts a receive on each), so one reading is shared by every page polling
 * within `cacheMs` and by requests that arrive while it runs.
 */
export function createDeadLetterReader(options: DeadLetterReaderOptions): () => Promise<DeadLetterView> {
  const cacheMs = options.cacheMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const now = options.now ?? Date.now;
  let cached: { at: number; view: Promise<DeadLetterView> } | undefined;

  async function read(): Promise<DeadLetterView> {
    const depth = await readQueueDepth(options.sqs, options.dlqUrl, timeoutMs);
    const readAt = new Date(now()).toISOString();
    if (depth.depth === null) {
      return { ...depth, messages: [], messagesReadAt: null, messagesError: depth.error ?? 'unreachable' };
    }
    // Nothing to walk; skipping the receive keeps an idle page from touching the queue.
    if (depth.depth === 0) return { ...depth, messages: [], messagesReadAt: readAt };
    try {
      const messages = await withDeadline(
        listDeadLetters({ sqs: options.sqs, dlqUrl: options.dlqUrl }, options.db, {
          maxMessages: options.maxMessages ?? 50,
        }),
        // The walk ends with a 1 s long poll per batch; give it room beyond a single call.
        timeoutMs * 3,
      );
      return { ...depth, messages, messagesReadAt: readAt };
    } catch (error) {
      return {
        ...depth,
        messages: [],
        messagesReadAt: null,
        messagesError: `reading the messages of ${options.dlqUrl} failed: ${describeError(error, timeoutMs)} — \`pnpm consumer dlq list\` shows them from a shell`,
      };
    }
  }

  return () => {
    const at = now();
    if (!cached || at - cached.at >= cacheMs) cached = { at, view: read() };
    return cached.view;
  };
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !message.includes(code)
    ? `${code}: ${message}`
    : message || String(error);
}
