import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ensureLocalTopology, type LocalTopology } from '@exercise-pipeline/infra';
import { parsePipelineMessage, toPutEventsEntry } from '@exercise-pipeline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsClients, createAwsClients, uniqueName, useMotoServer } from '../harness/index.js';
import { observeTopology } from './infra-observe.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const moto = useMotoServer('infra-local');
const slug = 'detensionari-lombare';

const uniqueNames = {
  bucket: uniqueName('assets'),
  queue: uniqueName('renders'),
  dlq: uniqueName('renders-dlq'),
};

let clients: AwsClients & { close(): Promise<void> };
let topology: LocalTopology;

function topologyOptions() {
  return {
    bucket: uniqueNames.bucket,
    queueName: uniqueNames.queue,
    dlqName: uniqueNames.dlq,
  };
}

beforeAll(async () => {
  clients = createAwsClients(moto.endpoint);
  topology = await ensureLocalTopology(clients, topologyOptions());
});

afterAll(async () => {
  await clients?.close();
});

interface Arrival {
  message: Message;
  afterMs: number;
}

/** Receives (and deletes) everything that arrives on `queueUrl` until `windowMs` after `since`. */
async function collect(
  sqs: SQSClient,
  queueUrl: string,
  since: number,
  windowMs: number,
): Promise<Arrival[]> {
  const arrivals: Arrival[] = [];
  while (Date.now() - since < windowMs) {
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    for (const message of received.Messages ?? []) {
      arrivals.push({ message, afterMs: Date.now() - since });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return arrivals;
}

function parsed(arrival: Arrival) {
  const result = parsePipelineMessage(arrival.message.Body);
  if (!result.ok) throw new Error(`queue message did not parse: ${result.reason}`);
  return result.message;
}

describe('render queue routing', () => {
  it('puts exactly one parseable message on the queue within 2 s of a manifest upload', async () => {
    const key = `${slug}/manifest.json`;
    const since = Date.now();
    await clients.s3.send(new PutObjectCommand({ Bucket: topology.bucket, Key: key, Body: '{}' }));
    const arrivals = await collect(clients.sqs, topology.queueUrl, since, 2_000);

    expect(arrivals).toHaveLength(1);
    expect(arrivals[0]?.afterMs).toBeLessThan(2_000);
    const message = parsed(arrivals[0]!);
    expect(message.type).toBe('object-created');
    expect(message).toMatchObject({ bucket: topology.bucket, key });
  });

  it('routes a "Bundle Synced" event from the ingest agent', async () => {
    const entry = toPutEventsEntry(topology.busName, {
      type: 'bundle-synced',
      exercise: slug,
      bucket: topology.bucket,
      languages: ['ro'],
      changedKeys: [`${slug}/manifest.json`],
      fingerprint: 'sha256-test',
    });
    const since = Date.now();
    const put = await clients.events.send(new PutEventsCommand({ Entries: [entry] }));
    expect(put.FailedEntryCount ?? 0).toBe(0);
    const arrivals = await collect(clients.sqs, topology.queueUrl, since, 2_000);

    expect(arrivals).toHaveLength(1);
    const message = parsed(arrivals[0]!);
    expect(message).toMatchObject({ type: 'bundle-synced', exercise: slug, fingerprint: 'sha256-test' });
  });

  it('routes nothing for junk files or the render service own events', async () => {
    const junk = ['x.tmp', '.DS_Store', '._intro-video-1.mp4', 'Thumbs.db', 'audio/ro/._intro-vo-1.mp3'];
    for (const name of junk) {
      await clients.s3.send(
        new PutObjectCommand({ Bucket: topology.bucket, Key: `${slug}/${name}`, Body: 'x' }),
      );
    }
    const renderReady = toPutEventsEntry(topology.busName, {
      type: 'render-ready',
      exercise: slug,
      language: 'ro',
      renderId: '1',
      assetVersion: 1,
      recipeHash: 'abc',
      playbackUrl: 'https://example.invalid/playlist.m3u8',
      durationSeconds: 12,
    });
    await clients.events.send(new PutEventsCommand({ Entries: [renderReady] }));
    // Positive control last: once it has arrived, everything sent before it has had its chance.
    const control = `${slug}/audio/ro/rep-left-vo-1.mp3`;
    const since = Date.now();
    await clients.s3.send(new PutObjectCommand({ Bucket: topology.bucket, Key: control, Body: 'x' }));
    const arrivals = await collect(clients.sqs, topology.queueUrl, since, 2_000);
    const afterControl = await collect(clients.sqs, topology.queueUrl, Date.now(), 1_500);

    const keys = [...arrivals, ...afterControl].map((arrival) => {
      const message = parsed(arrival);
      return message.type === 'object-created' ? message.key : message.type;
    });
    expect(keys).toEqual([control]);
  });

  it('moves a message that is received and never deleted to the DLQ after maxReceiveCount receives', async () => {
    const body = JSON.stringify({ poison: uniqueName('poison') });
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: topology.queueUrl, MessageBody: body }));
    let receives = 0;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const received = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: topology.queueUrl, VisibilityTimeout: 1, WaitTimeSeconds: 2 }),
      );
      if ((received.Messages ?? []).length === 0) break;
      expect(received.Messages?.[0]?.Body).toBe(body);
      receives += 1;
    }
    expect(receives).toBe(5);
    const inDlq = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: topology.dlqUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
    );
    expect((inDlq.Messages ?? []).map((message) => message.Body)).toEqual([body]);
    await clients.sqs.send(
      new DeleteMessageCommand({
        QueueUrl: topology.dlqUrl,
        ReceiptHandle: inDlq.Messages?.[0]?.ReceiptHandle,
      }),
    );
  });
});

describe('agent notices routing', () => {
  const ready = (detail: { catalogPreview?: boolean } = { catalogPreview: true }) =>
    toPutEventsEntry(topology.busName, {
      type: 'render-ready',
      exercise: slug,
      language: 'ro',
      renderId: '7',
      assetVersion: 2,
      recipeHash: 'abc',
      playbackUrl: '/media/v7/playlist.m3u8',
      durationSeconds: 12,
      fingerprint: 'sha256-notices',
      previewUrl: 'http://127.0.0.1:9400/#render=7',
      ...detail,
    });

  it('creates the notices queue with its own DLQ and lets only the notices rule send to it', async () => {
    expect(topology.noticesQueueName).toBe('exercise-agent-notices');
    expect(topology.noticesRuleName).toBe('exercise-agent-notices-route');
    const attributes = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: topology.noticesQueueUrl,
        AttributeNames: ['RedrivePolicy', 'Policy', 'ReceiveMessageWaitTimeSeconds', 'VisibilityTimeout'],
      }),
    );
    expect(JSON.parse(attributes.Attributes?.RedrivePolicy ?? '{}')).toMatchObject({
      deadLetterTargetArn: topology.noticesDlqArn,
      maxReceiveCount: 5,
    });
    expect(attributes.Attributes).toMatchObject({
      ReceiveMessageWaitTimeSeconds: '20',
      VisibilityTimeout: '60',
    });
    const policy = JSON.parse(attributes.Attributes?.Policy ?? '{}') as { Statement: unknown[] };
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Action: 'sqs:SendMessage',
        Resource: topology.noticesQueueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topology.noticesRuleArn } },
      }),
    ]);
  });

  it('delivers catalog previews\' "Render Ready" and "Render Failed", and nothing else', async () => {
    const failed = toPutEventsEntry(topology.busName, {
      type: 'render-failed',
      exercise: slug,
      language: 'ro',
      assetVersion: 2,
      error: 'ffmpeg exited with code 1',
      catalogPreview: true,
    });
    const synced = toPutEventsEntry(topology.busName, {
      type: 'bundle-synced',
      exercise: slug,
      bucket: topology.bucket,
      languages: ['ro'],
      changedKeys: [`${slug}/manifest.json`],
      fingerprint: 'sha256-other',
    });
    const since = Date.now();
    // Not catalog previews (no marker, or marked false) and another source's event: never routed.
    await clients.events.send(
      new PutEventsCommand({ Entries: [ready({}), ready({ catalogPreview: false }), synced] }),
    );
    await clients.events.send(new PutEventsCommand({ Entries: [ready(), failed] }));
    const arrivals = await collect(clients.sqs, topology.noticesQueueUrl, since, 2_000);
    const types = arrivals.map((arrival) => parsed(arrival)).map((message) => message.type);
    expect(types.sort()).toEqual(['render-failed', 'render-ready']);
    const readyMessage = arrivals.map(parsed).find((message) => message.type === 'render-ready');
    expect(readyMessage).toMatchObject({
      exercise: slug,
      fingerprint: 'sha256-notices',
      previewUrl: 'http://127.0.0.1:9400/#render=7',
    });
    // The render queue got only the "Bundle Synced".
    const renderArrivals = await collect(clients.sqs, topology.queueUrl, Date.now(), 500);
    expect(renderArrivals.map((arrival) => parsed(arrival).type)).toEqual(['bundle-synced']);
  });
});

describe('idempotence', () => {
  it('changes nothing on a second run', async () => {
    const before = await observeTopology(clients, topology);
    const again = await ensureLocalTopology(clients, topologyOptions());
    const after = await observeTopology(clients, topology);

    expect(again.changes.length).toBeGreaterThanOrEqual(11);
    expect(again.changes.filter((change) => change.status !== 'unchanged')).toEqual([]);
    expect(after).toEqual(before);
    expect({ ...again, changes: [] }).toEqual({ ...topology, changes: [] });
  });
});

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'pnpm',
      ['--silent', 'infra:local', ...args],
      { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('pnpm infra:local', () => {
  it('creates the topology, prints the queue URLs, and reports unchanged on a re-run with --json', async () => {
    const names = {
      bucket: uniqueName('cli-assets'),
      queue: uniqueName('cli-renders'),
      dlq: uniqueName('cli-dlq'),
    };
    const env = { ...moto.env, ASSETS_BUCKET: names.bucket, EVENT_BUS_NAME: uniqueName('cli-bus') };
    const flags = ['--queue-name', names.queue, '--dlq-name', names.dlq];

    const first = await runCli(flags, env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^created\s+bucket\s+/m);
    expect(first.stdout).toContain(`RENDER_QUEUE_URL=${moto.endpoint}/123456789012/${names.queue}`);
    expect(first.stdout).toContain(`RENDER_DLQ_URL=${moto.endpoint}/123456789012/${names.dlq}`);
    expect(first.stdout).toContain(
      `AGENT_NOTICES_QUEUE_URL=${moto.endpoint}/123456789012/exercise-agent-notices`,
    );

    const second = await runCli([...flags, '--json'], env);
    expect(second.code).toBe(0);
    const json = JSON.parse(second.stdout) as LocalTopology;
    expect(json.queueUrl).toBe(`${moto.endpoint}/123456789012/${names.queue}`);
    expect(json.dlqUrl).toBe(`${moto.endpoint}/123456789012/${names.dlq}`);
    expect(json.busName).toBe(env.EVENT_BUS_NAME);
    expect(json.changes.map((change) => change.status)).toEqual(json.changes.map(() => 'unchanged'));
  });

  it('refuses to run without AWS_ENDPOINT_URL, naming the variable', async () => {
    const result = await runCli([], { ...moto.env, AWS_ENDPOINT_URL: '', ASSETS_BUCKET: 'some-bucket' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/AWS_ENDPOINT_URL is not set/);
  });
});
