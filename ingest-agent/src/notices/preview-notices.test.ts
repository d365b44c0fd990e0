import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient, DETAIL_TYPES, SOURCES } from '@exercise-pipeline/shared';
import { startTcpGate } from '@exercise-pipeline/test/doubles';
import { createAwsClients, uniqueName, useMotoServer, useTempDir } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryIdOf, Journal } from '../journal/journal.js';
import { PreviewNotices } from './preview-notices.js';

// The loop against a real queue (moto): what arrives lands in the report once, a notice for
// another exercise is dropped, and a queue that goes away is waited out with one line each way.
const moto = useMotoServer('preview-notices');
const temp = useTempDir('preview-notices');
let aws: ReturnType<typeof createAwsClients>;
let queueUrl: string;
let report: string;

const body = (detailType: string, detail: Record<string, unknown>) =>
  JSON.stringify({
    version: '0',
    id: uniqueName('event'),
    'detail-type': detailType,
    source: SOURCES.render,
    time: new Date().toISOString(),
    detail,
  });
const ready = (exercise: string, fingerprint: string, link: string) =>
  body(DETAIL_TYPES.renderReady, {
    exercise,
    language: 'ro',
    renderId: '5',
    assetVersion: 1,
    recipeHash: 'r',
    playbackUrl: '/media/v5/playlist.m3u8',
    durationSeconds: 20,
    catalogPreview: true,
    fingerprint,
    previewUrl: link,
  });

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function visibleAndInFlight(): Promise<number> {
  const attributes = await aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

beforeAll(async () => {
  aws = createAwsClients(moto.endpoint);
  const created = await aws.sqs.send(
    new CreateQueueCommand({ QueueName: uniqueName('notices'), Attributes: { VisibilityTimeout: '2' } }),
  );
  queueUrl = created.QueueUrl ?? '';
  const folder = join(temp.path, 'drop', 'processed', '001 Squat');
  await mkdir(folder, { recursive: true });
  report = join(folder, '_REPORT.txt');
  await writeFile(report, 'Delivery "001 Squat": done\n');
  const original = join(temp.path, 'drop', '001 Squat');
  await new Journal(join(temp.path, 'data')).put({
    version: 1,
    deliveryId: deliveryIdOf(original),
    folder: original,
    signature: 's',
    state: 'done',
    exercise: 'squat',
    result: { status: 'done', fingerprint: 'fp-1', report },
  });
});
afterAll(async () => {
  await aws?.close();
});

describe('PreviewNotices', () => {
  it('adds the line once per notice, drops other exercises, and waits out a lost queue', async () => {
    const gate = await startTcpGate(Number(new URL(moto.endpoint).port));
    const sqs = createSqsClient({ endpoint: `http://127.0.0.1:${gate.port}`, region: 'eu-central-1' });
    const lines: { level: string; message: string }[] = [];
    const log = (level: string) => (_fields: unknown, message?: string) => {
      lines.push({ level, message: message ?? '' });
    };
    const loop = new PreviewNotices({
      sqs,
      queueUrl: queueUrl.replace(new URL(moto.endpoint).host, `127.0.0.1:${gate.port}`),
      dataDir: join(temp.path, 'data'),
      waitSeconds: 1,
      retry: { baseDelayMs: 100, maxDelayMs: 300 },
      logger: { debug: log('debug'), info: log('info'), warn: log('warn') } as never,
    });
    loop.start();
    try {
      const link = 'http://nas:9400/#render=5';
      await aws.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: ready('squat', 'fp-1', link) }),
      );
      await waitFor(async () => (await readFile(report, 'utf8')).includes(`Preview ready: ${link}`), 15_000);
      // The same event again (SQS delivers at least once) and one for an exercise this agent never synced.
      await aws.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: ready('squat', 'fp-1', link) }),
      );
      await aws.sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: ready('plank', 'fp-1', 'http://nas:9400/#render=6'),
        }),
      );
      await waitFor(async () => (await visibleAndInFlight()) === 0, 15_000);
      expect(await readFile(report, 'utf8')).toBe(`Delivery "001 Squat": done\nPreview ready: ${link}\n`);
      expect(lines.filter((line) => line.message.includes('for no delivery of this agent'))).toHaveLength(1);

      await gate.down();
      const failed = body(DETAIL_TYPES.renderFailed, {
        exercise: 'squat',
        language: 'ro',
        assetVersion: 1,
        error: 'Bunny Stream reported the transcode failed',
        catalogPreview: true,
        fingerprint: 'fp-1',
      });
      await aws.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: failed }));
      await waitFor(async () => lines.some((line) => line.message.includes('cannot be reached')), 15_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await gate.up();
      // A receive cut mid-answer leaves its messages invisible until the visibility timeout (2 s here).
      await waitFor(async () => (await readFile(report, 'utf8')).includes('Preview failed: '), 20_000);
      expect(lines.filter((line) => line.message.includes('cannot be reached'))).toHaveLength(1);
      expect(lines.filter((line) => line.message.includes('reachable again'))).toHaveLength(1);
      expect((await readFile(report, 'utf8')).split('\n')).toEqual([
        'Delivery "001 Squat": done',
        `Preview ready: ${link}`,
        'Preview failed: the ro preview of "squat" could not be made (Bunny Stream reported the transcode failed). The pipeline tries again by itself; if no "Preview ready" line follows, tell the operators.',
        '',
      ]);
    } finally {
      await loop.stop();
      sqs.destroy();
      await gate.close();
    }
  }, 90_000);
});
