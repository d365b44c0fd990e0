import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ensureLocalTopology, type LocalTopology } from '@exercise-pipeline/infra';
import { parsePipelineMessage, toPutEventsEntry } from '@exercise-pipeline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDelivery, TINY_MEDIA } from '../fixtures/index.js';
import {
  AGENT_BIN,
  type AwsClients,
  bodiesOf,
  createAwsClients,
  drainQueue,
  trackResource,
  uniqueName,
  useMotoServer,
  useTempDir,
} from '../harness/index.js';
import { waitUntil } from './agent-watch-helpers.js';
import { queueDepth } from './consumer-helpers.js';

// The preview comes back to the team: the built agent in watch mode reads the notices queue that
// the real topology's rule feeds, and adds a line to the report of the delivery that synced the
// rendered bundle. The events are put on the bus exactly as the consumer builds them.
const moto = useMotoServer('agent-preview-notices');
const temp = useTempDir('agent-preview-notices');
const EXERCISE = 'detensionari-lombare';

let clients: AwsClients & { close(): Promise<void> };
let topology: LocalTopology;
let agent: ChildProcess | undefined;
let agentLog = '';

beforeAll(async () => {
  clients = createAwsClients(moto.endpoint);
  topology = await ensureLocalTopology(clients, {
    bucket: uniqueName('assets'),
    busName: uniqueName('bus'),
    queueName: uniqueName('renders'),
    dlqName: uniqueName('renders-dlq'),
  });
});
afterAll(async () => {
  await clients?.close();
});

async function put(event: Parameters<typeof toPutEventsEntry>[1]): Promise<number> {
  const result = await clients.events.send(
    new PutEventsCommand({ Entries: [toPutEventsEntry(topology.busName, event)] }),
  );
  expect(result.FailedEntryCount ?? 0).toBe(0);
  return Date.now();
}

describe('agent watch with AGENT_NOTICES_QUEUE_URL', () => {
  it('adds "Preview ready" and failure lines to the delivery report, once, and only for its exercise', async () => {
    const drop = join(temp.path, 'drop');
    await mkdir(drop, { recursive: true });
    agent = spawn(
      process.execPath,
      [AGENT_BIN, 'watch', drop, '--config', join(process.cwd(), 'test/demo/agent.demo.json')],
      {
        env: {
          ...process.env,
          ...moto.env,
          ASSETS_BUCKET: topology.bucket,
          EVENT_BUS_NAME: topology.busName,
          DATA_DIR: join(temp.path, 'data'),
          AGENT_NOTICES_QUEUE_URL: topology.noticesQueueUrl,
          LOG_LEVEL: 'debug',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const child = agent;
    child.stderr?.on('data', (chunk: Buffer) => {
      agentLog += chunk.toString();
    });
    const tracked = trackResource('process', 'exercise-agent watch', async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    });
    try {
      await waitUntil(
        'the agent reading notices',
        () => agentLog.includes('reading preview notices'),
        30_000,
      );
      // Written beside the drop folder and moved in at once, as a finished copy arrives.
      const outside = join(temp.path, 'outside');
      const delivery = await generateDelivery(outside, {
        ...TINY_MEDIA,
        // The shipped rules expect a 1-20 counting master.
        countsPerMaster: 20,
        cacheDir: join(temp.path, 'media-cache'),
      });
      await rename(delivery.dir, join(drop, basename(delivery.dir)));
      const report = join(drop, 'processed', '001 Detensionari Lombare', '_REPORT.txt');
      await waitUntil(
        'the delivery reported in processed/',
        () =>
          stat(report).then(
            () => true,
            () => false,
          ),
        90_000,
      );
      const synced = bodiesOf(await drainQueue(clients.sqs, topology.queueUrl))
        .map((body) => parsePipelineMessage(body))
        .flatMap((parsed) => (parsed.ok && parsed.message.type === 'bundle-synced' ? [parsed.message] : []));
      expect(synced.map((message) => message.exercise)).toEqual([EXERCISE]);
      const fingerprint = synced[0]!.fingerprint;
      const original = await readFile(report, 'utf8');

      const link = 'http://127.0.0.1:9400/#render=3';
      const ready = {
        type: 'render-ready' as const,
        exercise: EXERCISE,
        language: 'ro',
        renderId: '3',
        assetVersion: 1,
        recipeHash: 'a'.repeat(64),
        playbackUrl: '/media/v3/playlist.m3u8',
        durationSeconds: 21.5,
        catalogPreview: true,
        fingerprint,
        previewUrl: link,
      };
      const sentAt = await put(ready);
      await waitUntil(
        'the "Preview ready" line',
        async () => (await readFile(report, 'utf8')).includes(link),
        30_000,
      );
      expect(Date.now() - sentAt).toBeLessThan(30_000);
      expect(await readFile(report, 'utf8')).toBe(`${original}Preview ready: ${link}\n`);

      // Delivered again, and a preview of an exercise this agent never synced: the report stays.
      await put(ready);
      await put({ ...ready, exercise: 'fandari-laterale', previewUrl: 'http://127.0.0.1:9400/#render=4' });
      await waitUntil(
        'both notices handled',
        async () => (await queueDepth(clients.sqs, topology.noticesQueueUrl)) === 0,
        30_000,
      );
      await waitUntil(
        'the unknown exercise logged',
        () => agentLog.includes('for no delivery of this agent'),
        10_000,
      );
      expect(await readFile(report, 'utf8')).toBe(`${original}Preview ready: ${link}\n`);

      await put({
        type: 'render-failed',
        exercise: EXERCISE,
        language: 'ro',
        assetVersion: 1,
        error: 'ffmpeg exited with code 1: Invalid data found when processing input',
        catalogPreview: true,
        fingerprint,
      });
      await waitUntil(
        'the failure line',
        async () => (await readFile(report, 'utf8')).includes('Preview failed: '),
        30_000,
      );
      const lines = (await readFile(report, 'utf8')).slice(original.length).split('\n');
      expect(lines).toEqual([
        `Preview ready: ${link}`,
        'Preview failed: the ro preview of "detensionari-lombare" could not be made (ffmpeg exited with code 1: Invalid data found when processing input). The pipeline tries again by itself; if no "Preview ready" line follows, tell the operators.',
        '',
      ]);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code, agentLog.slice(-2000)).toBe(0);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nagent log:\n${agentLog.slice(-4000)}`);
    } finally {
      await tracked.close();
    }
  }, 180_000);
});
