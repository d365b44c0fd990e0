import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateEventBusCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { IngestOptions } from '@exercise-pipeline/ingest-agent/ingest';
import { main } from '@exercise-pipeline/ingest-agent/program';
import { afterAll, beforeAll } from 'vitest';
import {
  type AwsClients,
  createAwsClients,
  createTempDir,
  type MotoHandle,
  runCliInProcess,
  uniqueName,
  useMotoServer,
} from '../harness/index.js';

export interface AgentWorld {
  readonly moto: MotoHandle;
  readonly clients: AwsClients;
  /** The file's temp dir; removed after its tests. */
  readonly root: string;
  /** Generated media is cached here so each clip is encoded once per file. */
  readonly cacheDir: string;
  /** The assets bucket (only with `topology`). */
  readonly bucket: string;
  /** The file's own bus and the queue its rule feeds (only with `topology`). */
  readonly route: { busName: string; queueUrl: string };
  /** Environment for the agent CLI against this file's bucket, bus and data dir. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** The part of ingestDelivery's options that points it at this file's bucket, bus and data dir. */
  ingestTarget(): Pick<IngestOptions, 's3' | 'events' | 'bucket' | 'eventBusName' | 'dataDir'>;
}

interface WorldState {
  clients: AwsClients & { close(): Promise<void> };
  root: string;
  bucket?: string;
  route?: { busName: string; queueUrl: string };
}

/**
 * Registers the hooks that give a test file its own moto server, clients and temp dir, and (with
 * `topology`, the default) its own assets bucket and event route, so files never see each other's
 * objects or events. Hooks a file registers afterwards run after these start and before they stop.
 */
export function useAgentWorld(label: string, options: { topology?: boolean } = {}): AgentWorld {
  const topology = options.topology ?? true;
  const moto = useMotoServer(label);
  let state: WorldState | undefined;
  let removeTemp: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const temp = await createTempDir(label);
    removeTemp = temp.remove;
    const clients = createAwsClients(moto.endpoint);
    state = { clients, root: temp.path };
    if (topology) {
      state.bucket = uniqueName('assets');
      await createBucket(clients.s3, state.bucket);
      state.route = await routeIngestEvents(clients);
    }
  });

  afterAll(async () => {
    await state?.clients.close();
    await removeTemp?.();
  });

  const ready = (): WorldState => {
    if (!state)
      throw new Error(`useAgentWorld('${label}'): the world is set up in beforeAll; use it inside tests`);
    return state;
  };
  const topo = (): Required<WorldState> => {
    const current = ready();
    if (!current.bucket || !current.route)
      throw new Error(
        `useAgentWorld('${label}'): no bucket or route without topology; drop { topology: false }`,
      );
    return current as Required<WorldState>;
  };

  return {
    moto,
    get clients() {
      return ready().clients;
    },
    get root() {
      return ready().root;
    },
    get cacheDir() {
      return join(ready().root, 'media-cache');
    },
    get bucket() {
      return topo().bucket;
    },
    get route() {
      return topo().route;
    },
    env(extra = {}) {
      const { bucket, route, root } = topo();
      return {
        ...moto.env,
        ASSETS_BUCKET: bucket,
        DATA_DIR: join(root, 'data'),
        EVENT_BUS_NAME: route.busName,
        LOG_LEVEL: 'warn',
        ...extra,
      };
    },
    ingestTarget() {
      const { clients, bucket, route, root } = topo();
      return {
        s3: clients.s3,
        events: clients.events,
        bucket,
        eventBusName: route.busName,
        dataDir: join(root, 'data'),
      };
    },
  };
}

export interface AgentRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed, when it was a JSON document. */
  json: unknown;
}

/** Runs the agent's CLI in this process with its own stdout/stderr and environment. */
export async function runAgent(argv: string[], env: Record<string, string>): Promise<AgentRun> {
  const run = await runCliInProcess(main, argv, env);
  let json: unknown;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    json = undefined;
  }
  return { ...run, json };
}

export async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
    }),
  );
}

export async function listKeys(s3: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys.sort();
}

export async function objectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function fileSha256(path: string): Promise<string> {
  return sha256(await readFile(path));
}

/** key → sha256 of every object under the prefix: "the bucket's contents". */
export async function bucketContents(
  s3: S3Client,
  bucket: string,
  prefix = '',
): Promise<Record<string, string>> {
  const contents: Record<string, string> = {};
  for (const key of await listKeys(s3, bucket, prefix))
    contents[key] = sha256(await objectBytes(s3, bucket, key));
  return contents;
}

/**
 * A bus of its own with a rule that sends every ingest-agent event to a fresh queue, as the
 * deployed rule does; returns the bus name and the queue URL.
 */
export async function routeIngestEvents(clients: AwsClients): Promise<{ busName: string; queueUrl: string }> {
  const busName = uniqueName('agent-bus');
  const queueName = uniqueName('agent-events');
  await clients.events.send(new CreateEventBusCommand({ Name: busName }));
  const queue = await clients.sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  const queueUrl = queue.QueueUrl!;
  const attributes = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const ruleName = uniqueName('agent-rule');
  await clients.events.send(
    new PutRuleCommand({
      Name: ruleName,
      EventBusName: busName,
      EventPattern: JSON.stringify({ source: ['exercise-pipeline.ingest'] }),
    }),
  );
  await clients.events.send(
    new PutTargetsCommand({
      Rule: ruleName,
      EventBusName: busName,
      Targets: [{ Id: 'queue', Arn: attributes.Attributes!.QueueArn! }],
    }),
  );
  return { busName, queueUrl };
}
