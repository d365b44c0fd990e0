import path from 'node:path';
import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { ensureLocalTopology, type LocalTopology } from '@exercise-pipeline/infra';
import { type CatalogDb, migrateCatalog, openCatalogDb } from '@exercise-pipeline/render-consumer/catalog';
import { handleMessage } from '@exercise-pipeline/render-consumer/consumer';
import { countDeadLetters, listDeadLetters } from '@exercise-pipeline/render-consumer/ops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleSyncedBody } from '../fixtures/index.js';
import {
  type AwsClients,
  createAwsClients,
  drainQueue,
  uniqueName,
  useMotoServer,
  useTempDir,
  useTestDatabase,
} from '../harness/index.js';
import { failingHandleDeps } from './consumer-helpers.js';
import { jsonOf, runConsumerCli, runConsumerInProcess } from './ops-cli.js';

const moto = useMotoServer('ops-dlq');
const database = useTestDatabase('ops-dlq');
const temp = useTempDir('ops-dlq');
const names = { bucket: uniqueName('assets'), queue: uniqueName('renders'), dlq: uniqueName('renders-dlq') };
const TRANSIENT_REASON = 'S3 GetObject timed out after 30000 ms';

let clients: AwsClients & { close(): Promise<void> };
let topology: LocalTopology;
let db: CatalogDb;

beforeAll(async () => {
  clients = createAwsClients(moto.endpoint);
  topology = await ensureLocalTopology(clients, {
    bucket: names.bucket,
    queueName: names.queue,
    dlqName: names.dlq,
  });
  db = await openCatalogDb({ databaseUrl: database.url, dataDir: temp.path });
  await migrateCatalog(db);
});

afterAll(async () => {
  await db?.close();
  await clients?.close();
});

function cliEnv(): Record<string, string> {
  return {
    ...moto.env,
    RENDER_QUEUE_URL: topology.queueUrl,
    RENDER_DLQ_URL: topology.dlqUrl,
    DATABASE_URL: database.url,
    DATA_DIR: path.join(temp.path, 'data'),
  };
}

function handleDeps() {
  return failingHandleDeps(db, clients.sqs, topology, names.bucket, TRANSIENT_REASON);
}

/** Receives from the render queue with visibility 0, so every receive counts towards maxReceiveCount. */
async function receiveOnce(): Promise<Message | undefined> {
  const received = await clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: topology.queueUrl,
      VisibilityTimeout: 0,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
    }),
  );
  return received.Messages?.[0];
}

interface ListedEntry {
  messageId: string;
  receiveCount: number;
  firstReceivedAt: string | null;
  exercise: string | null;
  reason: string;
  body: unknown;
}

describe('dlq commands', () => {
  let poisonId = '';
  let refusedId = '';
  const poisonBody = bundleSyncedBody('plank-hold', names.bucket);

  it('a transient poison message reaches the DLQ by the redrive policy; a permanent one with attributes', async () => {
    const sent = await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: topology.queueUrl, MessageBody: poisonBody }),
    );
    poisonId = sent.MessageId!;
    for (let attempt = 1; attempt <= 5; attempt++) {
      const message = await receiveOnce();
      expect(message?.MessageId).toBe(poisonId);
      await expect(handleMessage(handleDeps(), message!)).rejects.toThrow(TRANSIENT_REASON);
    }
    // The sixth receive finds the count exhausted and moves the message instead of returning it.
    expect(await receiveOnce()).toBeUndefined();

    await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: topology.queueUrl, MessageBody: 'not an event' }),
    );
    const garbage = await receiveOnce();
    expect(await handleMessage(handleDeps(), garbage!)).toBe('dead-lettered');
    await clients.sqs.send(
      new DeleteMessageCommand({ QueueUrl: topology.queueUrl, ReceiptHandle: garbage!.ReceiptHandle }),
    );
    expect((await countDeadLetters({ sqs: clients.sqs, dlqUrl: topology.dlqUrl })).visible).toBe(2);
  });

  it('`dlq list --json` shows both with their reasons, and leaves them in the queue', async () => {
    const run = await runConsumerCli(['dlq', 'list', '--json'], cliEnv());
    expect(run.code, run.stderr).toBe(0);
    const entries = jsonOf<ListedEntry[]>(run);
    expect(entries).toHaveLength(2);
    const poison = entries.find((entry) => entry.messageId === poisonId);
    expect(poison).toMatchObject({ exercise: 'plank-hold', reason: TRANSIENT_REASON });
    expect(poison!.receiveCount).toBeGreaterThanOrEqual(5);
    expect(Date.parse(poison!.firstReceivedAt!)).not.toBeNaN();
    expect((poison!.body as { detail: { exercise: string } }).detail.exercise).toBe('plank-hold');

    const refused = entries.find((entry) => entry.messageId !== poisonId)!;
    refusedId = refused.messageId;
    expect(refused.reason).toMatch(/^body is not JSON/);
    expect(refused.body).toBe('not an event');

    const again = await listDeadLetters({ sqs: clients.sqs, dlqUrl: topology.dlqUrl }, db);
    expect(again.map((entry) => entry.messageId).sort()).toEqual([poisonId, refusedId].sort());
  });

  it('`dlq show <id>` prints one message with its attributes; an unknown id is refused', async () => {
    const shown = await runConsumerInProcess(['dlq', 'show', refusedId, '--json'], cliEnv());
    expect(shown.code, shown.stderr).toBe(0);
    const detail = jsonOf<{ attributes: Record<string, string>; rawBody: string }>(shown);
    expect(detail.attributes.source_queue).toBe(topology.queueUrl);
    expect(detail.rawBody).toBe('not an event');

    const text = await runConsumerInProcess(['dlq', 'list'], cliEnv());
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`${poisonId}  plank-hold  receives `);
    expect(text.stdout).toContain(`  ${TRANSIENT_REASON}\n`);
    expect(text.stdout).toContain(`2 message(s) in ${topology.dlqUrl}`);

    const unknown = await runConsumerInProcess(['dlq', 'show', 'no-such-id'], cliEnv());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no message no-such-id');
    const noArgs = await runConsumerInProcess(['dlq', 'redrive'], cliEnv());
    expect(noArgs.code).toBe(2);
  });

  it('`dlq redrive --all` moves every message back to the render queue and empties the DLQ', async () => {
    const run = await runConsumerCli(['dlq', 'redrive', '--all', '--json'], cliEnv());
    expect(run.code, run.stderr).toBe(0);
    const result = jsonOf<{ moved: { messageId: string }[]; failed: unknown[] }>(run);
    expect(result.moved.map((moved) => moved.messageId).sort()).toEqual([poisonId, refusedId].sort());
    expect(result.failed).toEqual([]);

    expect(await listDeadLetters({ sqs: clients.sqs, dlqUrl: topology.dlqUrl })).toEqual([]);
    const back = await drainQueue(clients.sqs, topology.queueUrl, 1);
    expect(back.map((message) => message.Body).sort()).toEqual([poisonBody, 'not an event'].sort());
    for (const message of back) expect(message.MessageAttributes?.failure_reason).toBeUndefined();
  });

  it('`dlq redrive <id>` moves only that message', async () => {
    const ids: string[] = [];
    for (const body of ['first', 'second']) {
      const sent = await clients.sqs.send(
        new SendMessageCommand({ QueueUrl: topology.dlqUrl, MessageBody: body }),
      );
      ids.push(sent.MessageId!);
    }
    const run = await runConsumerInProcess(['dlq', 'redrive', ids[0]!, '--json'], cliEnv());
    expect(run.code, run.stderr).toBe(0);
    expect(jsonOf<{ moved: unknown[] }>(run).moved).toHaveLength(1);
    const left = await listDeadLetters({ sqs: clients.sqs, dlqUrl: topology.dlqUrl });
    expect(left.map((entry) => entry.messageId)).toEqual([ids[1]]);
    expect((await drainQueue(clients.sqs, topology.queueUrl, 1)).map((message) => message.Body)).toEqual([
      'first',
    ]);
  });

  it('`dlq purge` refuses without --yes when stdin is no terminal, and empties the DLQ with it', async () => {
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: topology.dlqUrl, MessageBody: 'third' }));
    const dlq = { sqs: clients.sqs, dlqUrl: topology.dlqUrl };
    expect((await countDeadLetters(dlq)).visible).toBe(2);

    const refused = await runConsumerCli(['dlq', 'purge'], cliEnv());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect((await countDeadLetters(dlq)).visible).toBe(2);

    const purged = await runConsumerCli(['dlq', 'purge', '--yes', '--json'], cliEnv());
    expect(purged.code, purged.stderr).toBe(0);
    expect(jsonOf(purged)).toEqual({ purged: 2, queueUrl: topology.dlqUrl });
    expect(await countDeadLetters(dlq)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});
