import { appendFile, chmod, copyFile, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readAgentConfig } from '@exercise-pipeline/ingest-agent/cli';
import { ingestDelivery } from '@exercise-pipeline/ingest-agent/ingest';
import { parsePipelineMessage } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { type BrokenKind, type DeliveryOptions, generateDelivery } from '../fixtures/index.js';
import { bodiesOf, drainQueue } from '../harness/index.js';
import { listKeys, runAgent, useAgentWorld } from './agent-helpers.js';

const world = useAgentWorld('agent-refusals');

interface Reason {
  file?: string;
  problem: string;
  fix: string;
}

interface RefusalCase {
  name: string;
  broken?: BrokenKind[];
  /** Breaks the generated folder further. */
  prepare?: (dir: string, folderName: string) => Promise<void>;
  /** The reason that must be among the refusals. */
  expected: (reason: Reason) => boolean;
}

/** Root reads every file whatever its mode, so there a dangling link stands in for an unreadable file. */
async function makeUnreadable(dir: string, folderName: string): Promise<void> {
  const path = join(dir, `${folderName} - Intro v2.mp4`);
  if (process.getuid?.() === 0) await symlink(join(dir, 'gone.mp4'), path);
  else {
    await copyFile(join(dir, `${folderName} - Intro.mp4`), path);
    await chmod(path, 0o000);
  }
}

const CASES: RefusalCase[] = [
  {
    name: 'an unknown name',
    broken: ['unknown-name'],
    expected: (r) => /Cadru Extra\.mp4$/.test(r.file ?? ''),
  },
  {
    name: 'two files for one target',
    broken: ['duplicate-target'],
    expected: (r) => / v1\.mp4$/.test(r.file ?? '') && r.problem.includes('would all become'),
  },
  { name: 'a missing slot', broken: ['missing-slot'], expected: (r) => r.problem.includes('no outro video') },
  { name: 'corrupt media', broken: ['corrupt-file'], expected: (r) => /Dreapta\.mp4$/.test(r.file ?? '') },
  { name: 'truncated media', broken: ['truncated'], expected: (r) => /Pauza\.mp4$/.test(r.file ?? '') },
  {
    name: 'a truncated fast-start video (ffprobe still reads its full length)',
    broken: ['truncated-faststart'],
    expected: (r) =>
      /Outro\.mp4$/.test(r.file ?? '') &&
      r.problem.includes('incomplete or damaged (the copy may have stopped early)') &&
      r.fix.includes('Copy it again'),
  },
  {
    name: 'a zero-byte file',
    broken: ['zero-byte'],
    expected: (r) => /Dreapta\.mp3$/.test(r.file ?? '') && r.problem.includes('empty'),
  },
  {
    name: 'a non-media file with a media extension',
    broken: ['fake-media'],
    expected: (r) => /Stanga\.mp3$/.test(r.file ?? '') && /not a (real|media file)/.test(r.problem),
  },
  {
    name: 'an invalid slug',
    prepare: (dir) => writeFile(join(dir, 'manifest.json'), JSON.stringify({ exercise: 'Not A Slug!' })),
    expected: (r) => r.file === 'manifest.json' && r.problem.includes('not a valid exercise name'),
  },
  {
    name: 'an unreadable file',
    prepare: makeUnreadable,
    expected: (r) => /Intro v2\.mp4$/.test(r.file ?? '') && r.problem.includes('cannot be read'),
  },
];

describe('agent refusals', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))(
    'refuses %s with exit 2 and uploads nothing',
    async (_name, c, i) => {
      const folderName = `${100 + i} Caz ${i + 1}`;
      const options: DeliveryOptions = {
        folderName,
        cacheDir: world.cacheDir,
        ...(c.broken ? { broken: c.broken } : {}),
      };
      const { dir } = await generateDelivery(join(world.root, `drop-${i}`), options);
      await c.prepare?.(dir, folderName);

      const run = await runAgent(['ingest', dir, '--json'], world.env());
      expect(run.code, run.stderr).toBe(2);
      const result = run.json as { status: string; uploaded: string[]; rejected: Reason[] };
      expect(result.status).toBe('refused');
      expect(result.uploaded).toEqual([]);
      expect(result.rejected.some(c.expected), JSON.stringify(result.rejected, null, 2)).toBe(true);
      for (const reason of result.rejected) expect(reason.fix.length).toBeGreaterThan(0);
      expect(await listKeys(world.clients.s3, world.bucket)).toEqual([]);

      const report = await readFile(join(dir, '_REPORT.txt'), 'utf8');
      expect(report).toContain('NOT accepted');
      const named = result.rejected.find(c.expected);
      if (named?.file !== undefined) expect(report).toContain(named.file);
    },
  );

  it('puts "Delivery Refused" on the bus, does not judge the same content twice, and ingests the fixed folder', async () => {
    await drainQueue(world.clients.sqs, world.route.queueUrl);
    const folderName = '200 Fandari';
    const { dir } = await generateDelivery(join(world.root, 'drop-event'), {
      folderName,
      cacheDir: world.cacheDir,
      broken: ['corrupt-file'],
    });
    const broken = `${folderName} 5 Dreapta.mp4`;

    const first = await runAgent(['ingest', dir, '--json'], world.env());
    expect(first.code).toBe(2);
    const messages = bodiesOf(await drainQueue(world.clients.sqs, world.route.queueUrl)).map((body) =>
      parsePipelineMessage(body),
    );
    const refused = messages.flatMap((m) =>
      m.ok && m.message.type === 'delivery-refused' ? [m.message] : [],
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ delivery: folderName, exercise: 'fandari' });
    expect(refused[0]?.reasons.some((reason) => reason.file === broken)).toBe(true);
    expect(refused[0]?.host.length).toBeGreaterThan(0);

    const again = await runAgent(['ingest', dir, '--json'], world.env());
    expect(again.code).toBe(2);
    expect(again.json).toMatchObject({ status: 'refused', repeated: true });
    expect(await drainQueue(world.clients.sqs, world.route.queueUrl)).toEqual([]);

    const healthy = await generateDelivery(join(world.root, 'drop-healthy'), {
      folderName,
      cacheDir: world.cacheDir,
    });
    await copyFile(join(healthy.dir, broken), join(dir, broken));
    const fixed = await runAgent(['ingest', dir, '--json'], world.env());
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.json).toMatchObject({ status: 'done', exercise: 'fandari' });
    expect(await listKeys(world.clients.s3, world.bucket, 'fandari/')).toHaveLength(11);
  });

  it('moves a refused delivery to rejected/ when configured', async () => {
    const folderName = '201 Rotatii';
    const drop = join(world.root, 'drop-rejected');
    const { dir } = await generateDelivery(drop, {
      folderName,
      cacheDir: world.cacheDir,
      broken: ['zero-byte'],
    });
    const configPath = join(world.root, 'move.json');
    await writeFile(configPath, JSON.stringify({ onRefusal: 'move' }));
    const run = await runAgent(['ingest', dir, '--config', configPath, '--json'], world.env());
    expect(run.code).toBe(2);
    const moved = join(drop, 'rejected', folderName);
    expect(run.json).toMatchObject({ movedTo: moved });
    expect(await readFile(join(moved, '_REPORT.txt'), 'utf8')).toContain('empty');
    expect(await stat(dir).catch(() => null)).toBeNull();
    expect(await listKeys(world.clients.s3, world.bucket, 'rotatii/')).toEqual([]);
  });

  it('defers a delivery whose file is still growing during the pre-check', async () => {
    const folderName = '202 Pod';
    const { dir } = await generateDelivery(join(world.root, 'drop-growing'), {
      folderName,
      cacheDir: world.cacheDir,
    });
    const config = await readAgentConfig();
    const growing = join(dir, `${folderName} 1-20 Stanga.mp3`);
    const writer = setTimeout(() => void appendFile(growing, Buffer.alloc(4096)), 300);
    try {
      const result = await ingestDelivery({
        folder: dir,
        config,
        ...world.ingestTarget(),
        settleCheckMs: 1500,
      });
      expect(result.status).toBe('deferred');
      expect(result.rejected.map((reason) => reason.file)).toEqual([`${folderName} 1-20 Stanga.mp3`]);
      expect(result.uploaded).toEqual([]);
    } finally {
      clearTimeout(writer);
    }
    expect(await listKeys(world.clients.s3, world.bucket, 'pod/')).toEqual([]);
    expect(await stat(join(dir, '_REPORT.txt')).catch(() => null)).toBeNull();
  });
});
