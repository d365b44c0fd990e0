import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type Backoff, backoffDelay, describeTransient, type Logger, sleep } from '@exercise-pipeline/shared';
import { Journal } from '../journal/journal.js';
import type { ReportLanguage } from '../report/language.js';
import { appendReportLine } from './append-report-line.js';
import { deliveriesFor } from './deliveries-for.js';
import { noticeLine } from './notice-line.js';
import { parsePreviewNotice } from './preview-notice.js';

export interface PreviewNoticesOptions {
  sqs: SQSClient;
  /** AGENT_NOTICES_QUEUE_URL. */
  queueUrl: string;
  /** DATA_DIR: the ingest journal says which deliveries synced which exercise. */
  dataDir: string;
  /** The language of the lines; default English. */
  language?: ReportLanguage;
  /** Long-poll wait of one receive; default 20 s (the SQS maximum). */
  waitSeconds?: number;
  /** A notice for a delivery still being reported comes back after this long; default 5 s. */
  notYetSeconds?: number;
  /** Backoff while the queue cannot be reached; default 1 s doubling up to 30 s. */
  retry?: Backoff;
  logger: Pick<Logger, 'debug' | 'info' | 'warn'>;
}

const UNREACHABLE_BACKOFF: Backoff = { baseDelayMs: 1000, maxDelayMs: 30_000 };

/** What became of one message. */
export type NoticeOutcome = 'written' | 'present' | 'not-yet' | 'unknown-exercise' | 'no-report' | 'ignored';

/**
 * The agent's half of "the preview comes back to the team": long-polls the notices queue (catalog
 * previews' "Render Ready" / "Render Failed", routed by the notices rule), finds the deliveries
 * that synced the preview's bundle in the journal, and appends one line to each one's
 * `_REPORT.txt`. Every message is deleted once handled, whatever became of it, except a notice
 * for a delivery whose report is about to be written, which comes back a few seconds later. An
 * unreachable queue is waited out with a backoff, logged once when lost and once when back.
 */
export class PreviewNotices {
  readonly #options: PreviewNoticesOptions;
  readonly #journal: Journal;
  readonly #stopping = new AbortController();
  #loop: Promise<void> | undefined;
  #lost = false;

  constructor(options: PreviewNoticesOptions) {
    this.#options = options;
    this.#journal = new Journal(options.dataDir);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops receiving (an open long poll is cut) and resolves once the message in hand is handled. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        messages = await this.#receive();
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        this.#noteLoss(error);
        const delayMs = backoffDelay(failures, this.#options.retry ?? UNREACHABLE_BACKOFF, Math.random);
        await sleep(Math.max(delayMs, 100), signal).catch(() => undefined);
        continue;
      }
      failures = 0;
      this.#noteReturn();
      for (const message of messages) {
        try {
          await this.#dispose(message, await this.handle(message.Body ?? ''));
        } catch (error) {
          // The message stays; SQS offers it again after the visibility timeout (and dead-letters
          // it after maxReceiveCount), so a share that refuses the write is retried, not lost.
          this.#options.logger.warn(
            { problem: describeTransient(error), messageId: message.MessageId },
            'cannot add the preview line to the report yet; the notice comes back later',
          );
        }
      }
    }
  }

  #receive(): Promise<Message[]> {
    return this.#options.sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: this.#options.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: this.#options.waitSeconds ?? 20,
        }),
        { abortSignal: this.#stopping.signal },
      )
      .then((received) => received.Messages ?? []);
  }

  #noteLoss(error: unknown): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#options.logger.warn(
      { problem: describeTransient(error), queueUrl: this.#options.queueUrl },
      'the notices queue cannot be reached; retrying',
    );
  }

  #noteReturn(): void {
    if (!this.#lost) return;
    this.#lost = false;
    this.#options.logger.info({ queueUrl: this.#options.queueUrl }, 'the notices queue is reachable again');
  }

  async #dispose(message: Message, outcome: NoticeOutcome): Promise<void> {
    const { sqs, queueUrl } = this.#options;
    if (outcome === 'not-yet') {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: this.#options.notYetSeconds ?? 5,
        }),
      );
      return;
    }
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
  }

  /** Applies one message body to the reports; safe to repeat (the line is added once). */
  async handle(body: string): Promise<NoticeOutcome> {
    const { logger } = this.#options;
    const parsed = parsePreviewNotice(body);
    if (!parsed.ok) {
      logger.warn({ reason: parsed.reason }, 'not a preview notice; dropped');
      return 'ignored';
    }
    const notice = parsed.notice;
    const match = deliveriesFor(notice, await this.#journal.entries());
    if (match.outcome === 'none') {
      logger.debug(
        { exercise: notice.exercise, fingerprint: notice.fingerprint },
        'preview notice for no delivery of this agent; dropped',
      );
      return 'unknown-exercise';
    }
    if (match.outcome === 'not-yet') return 'not-yet';
    const line = noticeLine(notice, this.#options.language ?? 'en');
    let written = false;
    let present = false;
    for (const target of match.targets) {
      const outcome = await appendReportLine(target.report, line);
      if (outcome === 'missing') {
        logger.info(
          { folder: target.folder, report: target.report },
          'the delivery report is gone (moved or deleted); preview line not written',
        );
        continue;
      }
      if (outcome === 'appended') {
        written = true;
        logger.info(
          { exercise: notice.exercise, kind: notice.kind, language: notice.language, report: target.report },
          notice.kind === 'ready'
            ? 'preview ready: line added to the report'
            : 'preview failed: line added to the report',
        );
      } else present = true;
    }
    return written ? 'written' : present ? 'present' : 'no-report';
  }
}
