import { createInterface } from 'node:readline/promises';
import type { Logger } from '@exercise-pipeline/shared';
import {
  type CliIo,
  type CommandContext,
  type DefinedCommand,
  defineCommand,
  EXIT,
} from '@exercise-pipeline/shared';
import type { DeadLetterEntry } from '../ops/dead-letter-entry.js';
import {
  countDeadLetters,
  type DeadLetterQueue,
  listDeadLetters,
  purgeDeadLetters,
  type RedriveResult,
  redriveDeadLetters,
  showDeadLetter,
} from '../ops/dlq.js';
import {
  createReporter,
  errorMessage,
  openCatalogReads,
  opsConfig,
  opsLogger,
  opsSqsClient,
  type Reporter,
} from './ops-context.js';

export const DLQ_USAGE = `usage: exercise-consumer dlq list [--json]
       exercise-consumer dlq show <message-id> [--json]
       exercise-consumer dlq redrive (<message-id>... | --all) [--json]
       exercise-consumer dlq purge [--yes] [--json]

Looks at and repairs the render queue's dead-letter queue (RENDER_DLQ_URL).
  list      every message: id, receive count, first receive, exercise, last failure reason
  show      one message with its full body and attributes
  redrive   moves the named messages (or --all) back to RENDER_QUEUE_URL, then removes them here
  purge     deletes every message; asks first, and without a terminal needs --yes
Looking receives the messages for a moment, which SQS counts as a receive.
`;

export interface DlqCommandOptions {
  /** Asks the operator; default a y/N prompt on stderr when stdin is a terminal, else no answer. */
  confirm?: (question: string, io: CliIo) => Promise<boolean | undefined>;
}

const FLAGS = {
  all: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
} as const;

export function createDlqCommand(options: DlqCommandOptions = {}): DefinedCommand {
  return defineCommand({
    summary: 'list, show, redrive or purge dead-lettered messages',
    usage: DLQ_USAGE,
    flags: FLAGS,
    json: true,
    run: (context) => runDlq(context, options),
  });
}

async function runDlq(
  { flags: values, positionals, io, json }: CommandContext<typeof FLAGS>,
  options: DlqCommandOptions,
): Promise<number> {
  const report = createReporter(io, 'dlq', json);
  const [action, ...ids] = positionals;
  const problem = usageProblem(action, ids, values.all);
  if (problem) {
    io.stderr.write(DLQ_USAGE);
    return report.refused(problem);
  }

  const config = opsConfig(io, action === 'redrive' ? ['renderDlqUrl', 'renderQueueUrl'] : ['renderDlqUrl']);
  if (typeof config === 'number') return config;
  const logger = opsLogger(io, config.logLevel);
  const sqs = opsSqsClient(config);
  const queue: DeadLetterQueue = { sqs, dlqUrl: config.renderDlqUrl };
  let catalog: Awaited<ReturnType<typeof openCatalogReads>> | undefined;
  try {
    switch (action) {
      case 'list': {
        catalog = await reasonsCatalog(config, logger);
        const entries = await listDeadLetters(queue, catalog?.reads.messageFailures);
        return report.done(entries, formatList(entries, queue.dlqUrl));
      }
      case 'show': {
        catalog = await reasonsCatalog(config, logger);
        const id = ids[0]!;
        const detail = await showDeadLetter(queue, id, catalog?.reads.messageFailures);
        if (!detail)
          return report.refused(
            `the DLQ ${queue.dlqUrl} holds no message ${id}; see \`dlq list\``,
            [],
            'NOT_FOUND',
          );
        const text = [
          `message   ${detail.messageId}`,
          `exercise  ${detail.exercise ?? '-'}`,
          `receives  ${detail.receiveCount} (first ${detail.firstReceivedAt ?? '-'})`,
          `reason    ${detail.reason}`,
          'attributes',
          ...Object.entries(detail.attributes).map(([name, value]) => `  ${name}: ${value}`),
          'body',
          typeof detail.body === 'string' ? detail.body : JSON.stringify(detail.body, null, 2),
        ].join('\n');
        return report.done(detail, text);
      }
      case 'redrive': {
        const selection = values.all ? ({ all: true } as const) : { messageIds: ids };
        const result = await redriveDeadLetters({ ...queue, queueUrl: config.renderQueueUrl! }, selection);
        return reportRedrive(report, result, config.renderQueueUrl!);
      }
      case 'purge':
        return await purge(queue, io, report, values.yes, options);
      default:
        return report.refused(`unknown action ${JSON.stringify(action)}`);
    }
  } catch (error) {
    logger.debug({ err: error }, 'dlq command failed');
    return report.failed(errorMessage(error));
  } finally {
    sqs.destroy();
    await catalog?.close().catch(() => {});
  }
}

function usageProblem(action: string | undefined, ids: string[], all: boolean): string | undefined {
  switch (action) {
    case undefined:
      return 'name an action: list, show, redrive or purge';
    case 'list':
    case 'purge':
      return ids.length > 0 ? `${action} takes no message ids, got ${ids.join(' ')}` : undefined;
    case 'show':
      return ids.length === 1 ? undefined : 'show takes exactly one message id (see `dlq list`)';
    case 'redrive':
      if (all && ids.length > 0) return 'redrive takes message ids or --all, not both';
      return all || ids.length > 0 ? undefined : 'redrive needs message ids or --all';
    default:
      return `unknown action ${JSON.stringify(action)}; use list, show, redrive or purge`;
  }
}

/**
 * The catalog holds the reasons of transient failures (read through the running consumer when it
 * holds the embedded catalog); the DLQ stays readable without it.
 */
async function reasonsCatalog(
  config: { databaseUrl?: string; dataDir: string; composerApiToken?: string },
  logger: Logger,
): Promise<Awaited<ReturnType<typeof openCatalogReads>> | undefined> {
  try {
    return await openCatalogReads(config);
  } catch (error) {
    logger.warn({ err: error }, 'catalog unavailable: reasons recorded by the consumer are not shown');
    return undefined;
  }
}

function formatList(entries: DeadLetterEntry[], dlqUrl: string): string {
  if (entries.length === 0) return `the DLQ ${dlqUrl} is empty`;
  const blocks = entries.map((entry) =>
    [
      `${entry.messageId}  ${entry.exercise ?? '(no exercise)'}  receives ${entry.receiveCount}  first ${entry.firstReceivedAt ?? '-'}`,
      `  ${entry.reason}`,
    ].join('\n'),
  );
  return `${blocks.join('\n')}\n${entries.length} message(s) in ${dlqUrl}`;
}

function reportRedrive(report: Reporter, result: RedriveResult, queueUrl: string): number {
  const lines = [
    `moved ${result.moved.length} message(s) back to ${queueUrl}`,
    ...result.failed.map((failure) => `  ${failure.messageId}: ${failure.error}`),
    ...result.notFound.map((id) => `  ${id}: not in the DLQ`),
  ];
  const code =
    result.failed.length > 0 ? EXIT.failure : result.notFound.length > 0 ? EXIT.refused : EXIT.done;
  return report.done(result, lines.join('\n'), code);
}

async function purge(
  queue: DeadLetterQueue,
  io: CliIo,
  report: Reporter,
  yes: boolean,
  options: DlqCommandOptions,
): Promise<number> {
  const counts = await countDeadLetters(queue);
  const total = counts.visible + counts.inFlight + counts.delayed;
  if (total === 0)
    return report.done({ purged: 0, queueUrl: queue.dlqUrl }, `the DLQ ${queue.dlqUrl} is empty`);
  if (!yes) {
    const answer = await (options.confirm ?? promptOnTerminal)(
      `Purge ${total} messages from ${queue.dlqUrl}? [y/N] `,
      io,
    );
    if (answer === undefined) {
      return report.refused(
        `purging ${total} messages needs confirmation: run it in a terminal or pass --yes`,
      );
    }
    if (!answer) return report.done({ purged: 0, queueUrl: queue.dlqUrl }, 'nothing purged');
  }
  await purgeDeadLetters(queue);
  return report.done(
    { purged: total, queueUrl: queue.dlqUrl },
    `purged ${total} messages from ${queue.dlqUrl}`,
  );
}

/** y/N on the terminal; undefined (no answer possible) when stdin is not a terminal. */
async function promptOnTerminal(question: string, io: CliIo): Promise<boolean | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const prompt = createInterface({ input: process.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}
