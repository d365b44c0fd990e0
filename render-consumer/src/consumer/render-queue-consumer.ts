import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type Logger, finishesWithin } from '@exercise-pipeline/shared';
import { Consumer } from 'sqs-consumer';
import {
  DEFERRALS_ATTRIBUTE,
  FORCED_VERSION_ATTRIBUTE,
  type HandleDeps,
  type HandleOutcome,
  handleMessage,
  LANGUAGE_OFFSET_ATTRIBUTE,
} from './handle-message.js';
import { retryVisibilitySeconds } from './quiet-period.js';

/** How long stop() waits for cancelled handlers to unwind after the deadline. */
const HANDLER_UNWIND_MS = 10_000;

/** How the consumer polls, holds and retries messages (short waits and retries in tests). */
export interface QueueConsumerTuning {
  /**
   * Seconds a received message stays invisible; renewed by a heartbeat while it is being handled,
   * so a long render never shows its message to another consumer. Default 60.
   */
  visibilityTimeoutSeconds?: number;
  /** Seconds between heartbeats; default a third of the visibility timeout. */
  heartbeatSeconds?: number;
  /** First retry delay after a transient failure, doubled per receive; default 30 s (max 15 min). */
  retryBaseSeconds?: number;
  retryMaxSeconds?: number;
  /** Long-poll wait; default 20 s (shorter in tests so stop() is quick). */
  waitTimeSeconds?: number;
  /** Messages handled at once by this process; default 1 (renders are CPU-bound). */
  concurrency?: number;
}

export interface RenderQueueConsumerOptions
  extends Omit<HandleDeps, 'logger' | 'onOutcome'>,
    QueueConsumerTuning {
  sqs: SQSClient;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** Called with each outcome (metrics). */
  onOutcome?: (outcome: HandleOutcome | 'received') => void;
  /** A message was taken in hand (metrics: the oldest message held); `sentAt` in epoch ms. */
  onMessageStart?: (messageId: string, sentAt: number) => void;
  onMessageEnd?: (messageId: string) => void;
}

/**
 * The render queue's consumer: sqs-consumer polling, one handler per message, a heartbeat for long
 * renders, and a retry delay that grows with the receive count. `stop()` stops polling, lets the
 * messages in hand finish within a deadline, and otherwise hands them back to the queue at once.
 */
export class RenderQueueConsumer {
  readonly #options: RenderQueueConsumerOptions;
  readonly #consumers: Consumer[] = [];
  readonly #inFlight = new Map<string, { message: Message; done: Promise<void> }>();
  #started = false;
  #stopping = false;

  constructor(options: RenderQueueConsumerOptions) {
    this.#options = options;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#stopping = false;
    const options = this.#options;
    const visibility = options.visibilityTimeoutSeconds ?? 60;
    // sqs-consumer needs the heartbeat strictly shorter than the visibility timeout; with a
    // one-second timeout there is no room for one, and the message simply times out.
    const heartbeat =
      visibility <= 1
        ? undefined
        : Math.min(options.heartbeatSeconds ?? Math.max(1, Math.floor(visibility / 3)), visibility - 1);
    const base = options.retryBaseSeconds ?? 30;
    const max = options.retryMaxSeconds ?? 900;
    // sqs-consumer handles one message at a time per instance with batchSize 1; parallelism is
    // several instances on the same queue, exactly like several processes.
    for (let i = 0; i < (options.concurrency ?? 1); i += 1) {
      const consumer = Consumer.create({
        queueUrl: options.queueUrl,
        sqs: options.sqs,
        batchSize: 1,
        visibilityTimeout: visibility,
        ...(heartbeat === undefined ? {} : { heartbeatInterval: heartbeat }),
        waitTimeSeconds: options.waitTimeSeconds ?? 20,
        // The handler deletes its message itself, before it reports done, so that shutdown can
        // cancel the pending long poll without cancelling a delete.
        shouldDeleteMessages: false,
        messageSystemAttributeNames: [
          'ApproximateReceiveCount',
          'SentTimestamp',
          'ApproximateFirstReceiveTimestamp',
        ],
        messageAttributeNames: [DEFERRALS_ATTRIBUTE, FORCED_VERSION_ATTRIBUTE, LANGUAGE_OFFSET_ATTRIBUTE],
        // A message whose handling failed because stop() cancelled it goes back at once, not after
        // the retry delay: another consumer should take it over now.
        terminateVisibilityTimeout: (messages) =>
          this.#stopping
            ? 0
            : retryVisibilitySeconds(
                Number(messages[0]?.Attributes?.ApproximateReceiveCount ?? '1'),
                base,
                max,
              ),
        handleMessage: (message) => this.#handle(message),
      });
      consumer.on('error', (error) => {
        // stop() cancels the long polls on purpose; their abort is the shutdown, not a failure.
        if (this.#stopping && isAbort(error)) return;
        options.logger.error({ err: error }, 'render queue error');
      });
      consumer.on('processing_error', () => {
        // Already logged with its reason by handleMessage; sqs-consumer applies the retry delay.
      });
      consumer.start();
      this.#consumers.push(consumer);
    }
    options.logger.info(
      { queueUrl: options.queueUrl, concurrency: this.#consumers.length },
      'consuming the render queue',
    );
  }

  async #handle(message: Message): Promise<Message | undefined> {
    const id = message.MessageId ?? `${Date.now()}`;
    const options = this.#options;
    if (this.#stopping) {
      // A long poll that was already under way when stop() began: give the message straight back.
      await this.#handBack(message);
      return undefined;
    }
    options.onOutcome?.('received');
    const sent = Number(message.Attributes?.SentTimestamp);
    options.onMessageStart?.(id, Number.isFinite(sent) ? sent : Date.now());
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.#inFlight.set(id, { message, done });
    try {
      await handleMessage(options, message);
      await options.sqs.send(
        new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      return message;
    } finally {
      this.#inFlight.delete(id);
      options.onMessageEnd?.(id);
      finish();
    }
  }

  /**
   * Stops polling; waits up to `deadlineMs` for the messages in hand, then makes the unfinished ones
   * visible again (visibility 0) so another consumer takes them now rather than after the timeout.
   * `abortRenders` is called when the deadline passes, to stop their ffmpeg processes.
   */
  async stop(deadlineMs = 30_000, abortRenders?: () => void): Promise<void> {
    if (!this.#started) return;
    this.#stopping = true;
    for (const consumer of this.#consumers) consumer.stop();
    const pending = [...this.#inFlight.values()];
    if (pending.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        Promise.all(pending.map((entry) => entry.done)).then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), deadlineMs);
        }),
      ]);
      clearTimeout(timer);
      if (!finished) {
        const left = [...this.#inFlight.values()];
        abortRenders?.();
        await Promise.all(left.map((entry) => this.#handBack(entry.message)));
        this.#options.logger.warn(
          { messages: left.length },
          'shutdown deadline passed: messages handed back',
        );
        // The cancelled handlers still unwind (ffmpeg killed, upload dropped, row marked failed);
        // they use the database, which the caller closes once stop() resolves.
        await finishesWithin(Promise.all(left.map((entry) => entry.done)), HANDLER_UNWIND_MS);
        // A heartbeat that fired while the handlers unwound may have hidden a message again.
        await Promise.all(left.map((entry) => this.#handBack(entry.message)));
      }
    }
    // Cancel the long polls still waiting; nothing else of ours uses their signal any more.
    for (const consumer of this.#consumers) consumer.abortController?.abort();
    this.#consumers.length = 0;
    this.#started = false;
  }

  async #handBack(message: Message): Promise<void> {
    await this.#options.sqs
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.#options.queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      )
      .catch((error) => this.#options.logger.warn({ err: error }, 'could not hand a message back'));
  }
}

/** An SDK request cancelled through its abort signal (sqs-consumer wraps it, keeping `code`). */
function isAbort(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  const name = (error as { name?: unknown } | undefined)?.name;
  return code === 'AbortError' || name === 'AbortError';
}
