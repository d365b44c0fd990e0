import { readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { readAgentConfig } from '@exercise-pipeline/ingest-agent/cli';
import { type IngestOptions, type IngestStep, ingestDelivery } from '@exercise-pipeline/ingest-agent/ingest';
import { deliveryIdOf, Journal } from '@exercise-pipeline/ingest-agent/journal';
import type { AgentConfig } from '@exercise-pipeline/ingest-agent/rules';
import { createEventBridgeClient, parsePipelineMessage } from '@exercise-pipeline/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDelivery } from '../fixtures/index.js';
import { bodiesOf, drainQueue } from '../harness/index.js';
import { bucketContents, fileSha256, listKeys, useAgentWorld } from './agent-helpers.js';

const world = useAgentWorld('agent-journal');
let config: AgentConfig;

beforeAll(async () => {
  config = await readAgentConfig();
});

function ingest(folder: string, extra: Partial<IngestOptions> = {}) {
  return ingestDelivery({
    folder,
    config,
    ...world.ingestTarget(),
    settleCheckMs: 0,
    ...extra,
  });
}

/** An onStep that fails the ingest at `step`, as a crash there would stop it. */
function crashAt(crashStep: IngestStep): (step: IngestStep) => void {
  return (step) => {
    if (step === crashStep) throw new Error(`simulated crash at ${crashStep}`);
  };
}

async function refusedEvents(): Promise<number> {
  const messages = bodiesOf(await drainQueue(world.clients.sqs, world.route.queueUrl)).map((body) =>
    parsePipelineMessage(body),
  );
  return messages.filter((m) => m.ok && m.message.type === 'delivery-refused').length;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('one delivery per exercise at a time', () => {
  it('syncs two deliveries for one slug one after the other, so the bucket holds one whole delivery', async () => {
    const folderName = '300 Pod Fesier';
    const [first, second] = await Promise.all([
      generateDelivery(join(world.root, 'drop-lock-a'), {
        folderName,
        cacheDir: world.cacheDir,
        width: 320,
        height: 180,
      }),
      generateDelivery(join(world.root, 'drop-lock-b'), {
        folderName,
        cacheDir: world.cacheDir,
        width: 256,
        height: 144,
      }),
    ]);
    const steps: { delivery: string; step: IngestStep; at: number }[] = [];
    const synced = new Map<string, number>();
    const watch = (delivery: string): Partial<IngestOptions> => ({
      onStep: (step) => steps.push({ delivery, step, at: performance.now() }),
      onProgress: (progress) => {
        if (progress.filesDone === progress.filesTotal) synced.set(delivery, performance.now());
      },
    });
    const results = await Promise.all([ingest(first.dir, watch('a')), ingest(second.dir, watch('b'))]);
    expect(results.map((result) => result.status)).toEqual(['done', 'done']);

    const at = (delivery: string, step: IngestStep) =>
      steps.find((entry) => entry.delivery === delivery && entry.step === step)?.at ?? Number.NaN;
    const waited = steps.filter((entry) => entry.step === 'waiting').map((entry) => entry.delivery);
    expect(waited).toHaveLength(1);
    const later = waited[0]!;
    const earlier = later === 'a' ? 'b' : 'a';
    // The later one staged only after the earlier one had finished uploading.
    expect(at(later, 'staging')).toBeGreaterThan(synced.get(earlier) ?? Number.POSITIVE_INFINITY);

    const slug = 'pod-fesier';
    const contents = await bucketContents(world.clients.s3, world.bucket, `${slug}/`);
    expect(Object.keys(contents)).toHaveLength(11);
    const winner = later === 'a' ? first : second;
    const outcome = results[later === 'a' ? 0 : 1]!;
    // Delivered videos are uploaded byte for byte: every one in the bucket is the later delivery's.
    for (const file of winner.files.filter((f) => f.kind === 'video')) {
      const key = outcome.renamed.find((rename) => rename.from === file.name)!.to;
      const original = join(outcome.movedTo ?? winner.dir, file.name);
      expect(contents[`${slug}/${key}`], key).toBe(await fileSha256(original));
    }
  });
});

describe('reporting after a crash', () => {
  it('keeps a refusal in "reporting" until "Delivery Refused" is out, and moves the folder only after', async () => {
    await drainQueue(world.clients.sqs, world.route.queueUrl);
    const drop = join(world.root, 'drop-refused');
    const folderName = '301 Rotatii Umar';
    const { dir } = await generateDelivery(drop, {
      folderName,
      cacheDir: world.cacheDir,
      broken: ['zero-byte'],
    });
    const moving = { ...config, onRefusal: 'move' as const };
    const down = createEventBridgeClient({ endpoint: 'http://127.0.0.1:1' });
    try {
      await expect(
        ingest(dir, { config: moving, events: down, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }),
      ).rejects.toThrow();
    } finally {
      down.destroy();
    }
    const journal = new Journal(join(world.root, 'data'));
    expect(await journal.get(deliveryIdOf(dir))).toMatchObject({ state: 'reporting', announced: false });
    expect(await exists(dir)).toBe(true);
    expect(await exists(join(dir, '_REPORT.txt'))).toBe(false);

    // Crash again, after the event went out but before the team was told.
    await expect(ingest(dir, { config: moving, onStep: crashAt('reporting') })).rejects.toThrow(/simulated/);
    expect(await journal.get(deliveryIdOf(dir))).toMatchObject({ state: 'reporting', announced: true });
    expect(await exists(dir)).toBe(true);

    const done = await ingest(dir, { config: moving });
    expect(done).toMatchObject({ status: 'refused', movedTo: join(drop, 'rejected', folderName) });
    expect(await exists(join(drop, 'rejected', folderName, '_REPORT.txt'))).toBe(true);
    expect(await journal.get(deliveryIdOf(dir))).toMatchObject({ state: 'refused' });
    expect(await refusedEvents()).toBe(1);
  });

  it('tells the team after a crash between the upload and the report, without uploading again', async () => {
    const drop = join(world.root, 'drop-done');
    const folderName = '302 Extensii Sold';
    const { dir } = await generateDelivery(drop, { folderName, cacheDir: world.cacheDir });
    await expect(ingest(dir, { onStep: crashAt('reporting') })).rejects.toThrow(/simulated/);
    const journal = new Journal(join(world.root, 'data'));
    expect(await journal.get(deliveryIdOf(dir))).toMatchObject({ state: 'reporting' });
    expect(await exists(join(dir, '_REPORT.txt'))).toBe(false);
    const keys = await listKeys(world.clients.s3, world.bucket, 'extensii-sold/');
    expect(keys).toHaveLength(11);

    const steps: IngestStep[] = [];
    const resumed = await ingest(dir, { onStep: (step) => steps.push(step) });
    expect(resumed).toMatchObject({ status: 'done', movedTo: join(drop, 'processed', folderName) });
    expect(resumed.uploaded).toHaveLength(11);
    expect(steps).not.toContain('uploading');
    expect(await exists(join(drop, 'processed', folderName, '_REPORT.txt'))).toBe(true);
    expect(await journal.get(deliveryIdOf(dir))).toMatchObject({ state: 'done' });
    expect(await exists(join(world.root, 'data', 'staging', deliveryIdOf(dir)))).toBe(false);
  });
});

describe('staging copies', () => {
  it('are removed when a delivery changes while it is staged', async () => {
    const folderName = '303 Flexii Genunchi';
    const { dir } = await generateDelivery(join(world.root, 'drop-staging'), {
      folderName,
      cacheDir: world.cacheDir,
    });
    const touched = join(dir, `${folderName} 1-20 Stanga.mp3`);
    const result = await ingest(dir, {
      onStep: (step) => {
        if (step === 'staging') void utimes(touched, new Date(), new Date(Date.now() + 5000));
      },
    });
    expect(result.status).toBe('deferred');
    expect(result.rejected.map((reason) => reason.file)).toEqual([`${folderName} 1-20 Stanga.mp3`]);
    const staging = await readdir(join(world.root, 'data', 'staging')).catch(() => []);
    expect(staging).not.toContain(deliveryIdOf(dir));
    expect(await listKeys(world.clients.s3, world.bucket, 'flexii-genunchi/')).toEqual([]);
  });
});
