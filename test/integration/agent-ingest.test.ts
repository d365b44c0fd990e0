import { execFile } from 'node:child_process';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { parseManifest, parsePipelineMessage, probeMedia } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { CONVENTION_OBJECTS, generateBundle, generateDelivery } from '../fixtures/index.js';
import { bodiesOf, drainQueue } from '../harness/index.js';
import { fileSha256, listKeys, objectBytes, runAgent, sha256, useAgentWorld } from './agent-helpers.js';

const world = useAgentWorld('agent-ingest');

/** The eleven objects the team's seven files become. */
function conventionKeys(slug: string): string[] {
  return CONVENTION_OBJECTS.map((key) => `${slug}/${key}`);
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await fileSha256(join(dir, name));
  return out;
}

describe('agent ingest', () => {
  it('turns the seven-file delivery (with junk and diacritics) into the eleven-object bundle, manifest last', async () => {
    const drop = join(world.root, 'drop-1');
    const folderName = '001 Detensionări Lombare';
    const { dir } = await generateDelivery(drop, {
      folderName,
      cacheDir: world.cacheDir,
      broken: ['junk-files'],
    });
    // macOS writes names decomposed: "Sta\u0302nga".
    const left = join(dir, `${folderName} 5 Stanga.mp4`);
    const leftNfd = join(dir, `${folderName} 5 Stânga.mp4`.normalize('NFD'));
    await rename(left, leftNfd);
    const before = await snapshot(dir);

    const run = await runAgent(['ingest', dir, '--json'], world.env());
    expect(run.code, run.stderr).toBe(0);
    const result = run.json as Record<string, unknown> & { uploaded: string[]; ignored: string[] };
    expect(result.status).toBe('done');
    expect(result.exercise).toBe('detensionari-lombare');
    expect(result.rejected).toEqual([]);
    expect(result.ignored).toEqual(expect.arrayContaining(['.DS_Store', 'Thumbs.db', 'desktop.ini']));

    const slug = 'detensionari-lombare';
    expect(await listKeys(world.clients.s3, world.bucket, `${slug}/`)).toEqual(conventionKeys(slug));
    expect([...result.uploaded].sort()).toEqual(conventionKeys(slug));
    expect(result.uploaded.at(-1)).toBe(`${slug}/manifest.json`);

    const manifestText = (
      await objectBytes(world.clients.s3, world.bucket, `${slug}/manifest.json`)
    ).toString('utf8');
    const manifest = parseManifest(manifestText);
    expect(manifest.ok && manifest.manifest).toMatchObject({
      exercise: slug,
      sides: ['left', 'right'],
      languages: ['ro'],
      reps_per_video_block: 5,
      counts_per_audio_master: 20,
    });
    expect(Object.keys(JSON.parse(manifestText))).toEqual([...Object.keys(JSON.parse(manifestText))].sort());

    const processed = join(drop, 'processed', folderName);
    expect((await stat(dir).catch(() => null)) === null).toBe(true);
    const report = await readFile(join(processed, '_REPORT.txt'), 'utf8');
    expect(report).toContain('rep-left-video-1.mp4');
    expect(report).toContain('audio/ro/intro-vo-1.mp3');
    // The originals travel untouched; the rep video in the bucket is byte-for-byte the delivered one.
    const after = await snapshot(processed);
    delete after['_REPORT.txt'];
    expect(after).toEqual(before);
    expect(sha256(await objectBytes(world.clients.s3, world.bucket, `${slug}/rep-left-video-1.mp4`))).toBe(
      before[`${folderName} 5 Stânga.mp4`.normalize('NFD')],
    );

    const introVo = join(world.root, 'intro-vo.mp3');
    await writeFile(
      introVo,
      await objectBytes(world.clients.s3, world.bucket, `${slug}/audio/ro/intro-vo-1.mp3`),
    );
    const probe = await probeMedia(introVo);
    expect(probe.formatName).toBe('mp3');
    expect(probe.audio?.codec).toBe('mp3');
    expect(probe.durationSeconds).toBeGreaterThan(2.5);

    const events = bodiesOf(await drainQueue(world.clients.sqs, world.route.queueUrl)).map((body) =>
      parsePipelineMessage(body),
    );
    const synced = events.find((event) => event.ok && event.message.type === 'bundle-synced');
    // The event names the delivery folder and the agent's host, for the operators' view.
    expect(synced?.ok && synced.message).toMatchObject({
      exercise: slug,
      delivery: folderName,
      host: hostname(),
    });
  });

  it('uploads nothing the second time and exactly the changed rep video the third', async () => {
    const drop = join(world.root, 'drop-2');
    const configPath = join(world.root, 'leave.json');
    await writeFile(configPath, JSON.stringify({ onSuccess: 'leave' }));
    const { dir } = await generateDelivery(drop, {
      folderName: '002 Ridicari Brate',
      cacheDir: world.cacheDir,
    });
    const slug = 'ridicari-brate';

    const first = await runAgent(['ingest', dir, '--config', configPath, '--json'], world.env());
    expect(first.code, first.stderr).toBe(0);
    expect((first.json as { uploaded: string[] }).uploaded).toHaveLength(11);
    const reportStat = await stat(join(dir, '_REPORT.txt'));

    const second = await runAgent(['ingest', dir, '--config', configPath, '--json'], world.env());
    expect(second.code, second.stderr).toBe(0);
    expect(second.json).toMatchObject({ status: 'done', uploaded: [], bytesUploaded: 0, repeated: true });
    expect((second.json as { skipped: string[] }).skipped).toHaveLength(11);
    // Reported done once: the report was not written again.
    expect((await stat(join(dir, '_REPORT.txt'))).mtimeMs).toBe(reportStat.mtimeMs);

    const manifestBefore = await objectBytes(world.clients.s3, world.bucket, `${slug}/manifest.json`);
    const leftVideo = join(dir, '002 Ridicari Brate 5 Stanga.mp4');
    await promisify(execFile)('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi'],
      ...['-i', 'color=c=0x884422:s=320x180:r=25:d=5', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', leftVideo],
    ]);
    const third = await runAgent(['ingest', dir, '--config', configPath, '--json'], world.env());
    expect(third.code, third.stderr).toBe(0);
    expect((third.json as { uploaded: string[] }).uploaded).toEqual([`${slug}/rep-left-video-1.mp4`]);
    expect(sha256(await objectBytes(world.clients.s3, world.bucket, `${slug}/rep-left-video-1.mp4`))).toBe(
      await fileSha256(leftVideo),
    );
    expect(await objectBytes(world.clients.s3, world.bucket, `${slug}/manifest.json`)).toEqual(
      manifestBefore,
    );
    expect(await listKeys(world.clients.s3, world.bucket, `${slug}/`)).toEqual(conventionKeys(slug));
  });

  it('deletes a remote object the delivery no longer has only with --prune', async () => {
    const drop = join(world.root, 'drop-prune');
    const configPath = join(world.root, 'leave-prune.json');
    await writeFile(configPath, JSON.stringify({ onSuccess: 'leave' }));
    const { dir } = await generateDelivery(drop, {
      folderName: '004 Fandari Laterale',
      cacheDir: world.cacheDir,
    });
    const slug = 'fandari-laterale';
    const first = await runAgent(['ingest', dir, '--config', configPath, '--json'], world.env());
    expect(first.code, first.stderr).toBe(0);
    // A variant an earlier delivery had and this one dropped.
    const extra = `${slug}/rep-left-video-2.mp4`;
    await world.clients.s3.send(
      new PutObjectCommand({ Bucket: world.bucket, Key: extra, Body: 'old variant' }),
    );

    const kept = await runAgent(['ingest', dir, '--config', configPath, '--json'], world.env());
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.json).toMatchObject({ status: 'done', deleted: [] });
    expect(await listKeys(world.clients.s3, world.bucket, `${slug}/`)).toContain(extra);

    const pruned = await runAgent(['ingest', dir, '--config', configPath, '--prune', '--json'], world.env());
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.json).toMatchObject({ status: 'done', deleted: [extra], uploaded: [] });
    expect(await listKeys(world.clients.s3, world.bucket, `${slug}/`)).toEqual(conventionKeys(slug));
  });

  it('plans and dry-runs without touching the folder or the bucket', async () => {
    const drop = join(world.root, 'drop-3');
    const { dir } = await generateDelivery(drop, {
      folderName: '003 Genuflexiuni',
      cacheDir: world.cacheDir,
    });
    const before = await snapshot(dir);

    const plan = await runAgent(['plan', dir, '--json'], world.env());
    expect(plan.code, plan.stderr).toBe(0);
    const planned = plan.json as { exercise: string; uploads: string[]; extractions: unknown[] };
    expect(planned.exercise).toBe('genuflexiuni');
    expect([...planned.uploads].sort()).toEqual(conventionKeys('genuflexiuni'));
    expect(planned.extractions).toHaveLength(3);

    const dry = await runAgent(['ingest', dir, '--dry-run', '--json'], world.env());
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.json).toMatchObject({ status: 'dry-run', uploaded: [], exercise: 'genuflexiuni' });
    expect(await listKeys(world.clients.s3, world.bucket, 'genuflexiuni/')).toEqual([]);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('validates a hand-made bundle and names what a broken one lacks', async () => {
    const dir = join(world.root, 'bundle');
    await generateBundle(dir, { cacheDir: world.cacheDir });
    const ok = await runAgent(['validate', dir, '--json'], world.env());
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.json).toMatchObject({ ok: true, exercise: 'detensionari-lombare', reasons: [] });

    await rm(join(dir, 'outro-video-1.mp4'));
    await writeFile(join(dir, 'rep-left-video-2.mp4'), 'not a video');
    const bad = await runAgent(['validate', dir, '--json'], world.env());
    expect(bad.code).toBe(2);
    const reasons = (bad.json as { reasons: { file?: string; problem: string }[] }).reasons;
    expect(reasons.some((reason) => reason.problem.includes('no outro video'))).toBe(true);
    expect(reasons.some((reason) => reason.file === 'rep-left-video-2.mp4')).toBe(true);
  });
});
