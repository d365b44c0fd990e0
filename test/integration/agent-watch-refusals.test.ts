import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePipelineMessage } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { generateDelivery } from '../fixtures/index.js';
import { bodiesOf, drainQueue } from '../harness/index.js';
import { listKeys, useAgentWorld } from './agent-helpers.js';
import { startWatchDaemon, waitUntil } from './agent-watch-helpers.js';

const world = useAgentWorld('agent-watch-refusals');

const readReport = (folder: string) => readFile(join(folder, '_REPORT.txt'), 'utf8').catch(() => null);

describe('watch: a quiet delivery that cannot be ingested', () => {
  it('gets a _REPORT.txt and "Delivery Refused" after the bounded wait (cut-off video, link to no media, pipe and dangling link)', async () => {
    await drainQueue(world.clients.sqs, world.route.queueUrl);
    const drop = join(world.root, 'drop');
    const outside = join(world.root, 'outside');
    await mkdir(drop, { recursive: true });
    await mkdir(outside, { recursive: true });

    // A copy that stopped for good: a fast-start video cut at 40 %, which ffprobe still reads in full.
    const cut = await generateDelivery(outside, {
      folderName: '400 Genuflexiuni',
      cacheDir: world.cacheDir,
      broken: ['truncated-faststart'],
    });
    // A link named like a video that points at a text file.
    const linked = await generateDelivery(outside, {
      folderName: '401 Fandari Laterale',
      cacheDir: world.cacheDir,
    });
    const notMedia = join(outside, 'notes.txt');
    await writeFile(notMedia, 'these are not frames\n');
    const linkName = '401 Fandari Laterale - Intro v2.mp4';
    await symlink(notMedia, join(linked.dir, linkName));

    // Nothing but a pipe and a link to nothing, both named like videos.
    const special = join(outside, '402 Pod Special');
    await mkdir(special);
    const pipeName = '402 Pod Special - Intro.mp4';
    const made = spawnSync('mkfifo', [join(special, pipeName)]);
    expect(made.status).toBe(0);
    await symlink(join(outside, 'gone.mp4'), join(special, '402 Pod Special - Outro.mp4'));

    const daemon = await startWatchDaemon({
      drop,
      root: world.root,
      env: world.env(),
      config: { settleSeconds: 0.5, refuseIncompleteAfterSeconds: 3 },
    });
    await waitUntil('the watcher to start', () => daemon.watcher() !== undefined);
    const cutFolder = join(drop, '400 Genuflexiuni');
    const linkedFolder = join(drop, '401 Fandari Laterale');
    await rename(cut.dir, cutFolder);
    await rename(linked.dir, linkedFolder);
    const specialFolder = join(drop, '402 Pod Special');
    await rename(special, specialFolder);

    // First they are only reported as incomplete, with the time left before the refusal.
    await waitUntil('the incomplete warnings', () =>
      ['400 Genuflexiuni', '401 Fandari Laterale', '402 Pod Special'].every((delivery) =>
        daemon.logs().some((line) => line.delivery === delivery && line.refuseInSeconds !== undefined),
      ),
    );
    await waitUntil(
      'the three reports',
      async () =>
        (await readReport(cutFolder)) !== null &&
        (await readReport(linkedFolder)) !== null &&
        (await readReport(specialFolder)) !== null,
      120_000,
    );
    const specialReport = (await readReport(specialFolder)) ?? '';
    expect(specialReport).toContain('NOT accepted');
    expect(specialReport).toContain(`File: ${pipeName}`);
    expect(specialReport).toContain('File: 402 Pod Special - Outro.mp4');
    const cutReport = (await readReport(cutFolder)) ?? '';
    expect(cutReport).toContain('NOT accepted');
    expect(cutReport).toMatch(/Outro\.mp4/);
    expect(cutReport).toContain('incomplete or damaged');
    const linkReport = (await readReport(linkedFolder)) ?? '';
    expect(linkReport).toContain('NOT accepted');
    expect(linkReport).toContain(linkName);

    const overdue = daemon.logs().filter((line) => line.msg.startsWith('delivery stayed incomplete'));
    expect(overdue.map((line) => line.delivery).sort()).toEqual([
      '400 Genuflexiuni',
      '401 Fandari Laterale',
      '402 Pod Special',
    ]);
    for (const line of overdue) expect(Number(line.waitedSeconds)).toBeGreaterThanOrEqual(3);

    const messages = bodiesOf(await drainQueue(world.clients.sqs, world.route.queueUrl)).map((body) =>
      parsePipelineMessage(body),
    );
    const refused = messages.flatMap((m) =>
      m.ok && m.message.type === 'delivery-refused' ? [m.message] : [],
    );
    expect(refused.map((event) => event.delivery).sort()).toEqual([
      '400 Genuflexiuni',
      '401 Fandari Laterale',
      '402 Pod Special',
    ]);
    expect(
      refused.find((event) => event.delivery === '401 Fandari Laterale')?.reasons.map((r) => r.file),
    ).toContain(linkName);
    expect(await listKeys(world.clients.s3, world.bucket)).toEqual([]);
    // Refused folders stay for the team to fix, and are not judged again while unchanged.
    expect((await stat(cutFolder)).isDirectory()).toBe(true);
    expect(await daemon.stop()).toBe(0);
    expect(await drainQueue(world.clients.sqs, world.route.queueUrl)).toEqual([]);
  }, 180_000);
});
