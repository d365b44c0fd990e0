/**
 * The picture and sound check, as the filming team meets it: a delivery with a black intro and a
 * silent left-rep voice-over is ingested with both named in `_REPORT.txt` (file, second, fix), in
 * "Bundle Synced", and with each voice-over's loudness on its object; configured as a refusal, the
 * silent voice-over stops the delivery.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { parsePipelineMessage, runFfmpeg } from '@exercise-pipeline/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDelivery, teamVideoName, teamVoiceOverName } from '../fixtures/index.js';
import { bodiesOf, drainQueue } from '../harness/index.js';
import { listKeys, runAgent, useAgentWorld } from './agent-helpers.js';

const world = useAgentWorld('agent-qc');

const MEDIA = { width: 160, height: 90, fps: 10, framingSeconds: 2, repSeconds: 0.2, countsPerMaster: 20 };
const VO_SECONDS = MEDIA.repSeconds * MEDIA.countsPerMaster;

/** Replacement files, made once: a 2 s intro whose first 1.2 s are black, and a silent voice-over. */
const replacement = { intro: '', silentVo: '' };

beforeAll(async () => {
  replacement.intro = join(world.root, 'black-intro.mp4');
  replacement.silentVo = join(world.root, 'silent.mp3');
  await runFfmpeg(
    ['-y', '-v', 'error', '-f', 'lavfi', '-i', 'color=black:s=160x90:r=10:d=1.2'].concat(
      ['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=10:d=0.8', '-f', 'lavfi', '-i', 'sine=f=330:d=2'],
      ['-filter_complex', '[0:v][1:v]concat=n=2:v=1[v]', '-map', '[v]', '-map', '2:a'],
      ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '10', '-c:a', 'aac'],
      ['-ac', '1', '-ar', '44100', replacement.intro],
    ),
    { timeoutMs: 60_000 },
  );
  await runFfmpeg(
    ['-y', '-v', 'error', '-f', 'lavfi', '-i', `anullsrc=r=44100:cl=mono:d=${VO_SECONDS}`].concat([
      '-c:a',
      'libmp3lame',
      '-b:a',
      '64k',
      replacement.silentVo,
    ]),
    { timeoutMs: 60_000 },
  );
});

/** A seven-file delivery whose intro starts black and whose left-rep voice-over is silent. */
async function flawedDelivery(drop: string, folderName: string): Promise<string> {
  const { dir } = await generateDelivery(join(world.root, drop), {
    ...MEDIA,
    folderName,
    cacheDir: world.cacheDir,
  });
  await copyFile(replacement.intro, join(dir, teamVideoName(folderName, 'intro', 1, 5)));
  await copyFile(
    replacement.silentVo,
    join(dir, teamVoiceOverName(folderName, 'rep-left', 1, MEDIA.countsPerMaster)),
  );
  return dir;
}

async function metadataOf(key: string): Promise<Record<string, string>> {
  const head = await world.clients.s3.send(new HeadObjectCommand({ Bucket: world.bucket, Key: key }));
  return head.Metadata ?? {};
}

describe('picture and sound check at ingest', () => {
  it('names the black intro and the silent voice-over in the report and in "Bundle Synced", and stores loudness', async () => {
    const folderName = '001 Umeri Ridicari';
    const slug = 'umeri-ridicari';
    const dir = await flawedDelivery('drop-warn', folderName);
    const run = await runAgent(['ingest', dir, '--json'], world.env());
    expect(run.code, run.stderr).toBe(0);
    const result = run.json as { status: string; report: string; findings: { kind: string }[] };
    expect(result.status).toBe('done');

    const intro = teamVideoName(folderName, 'intro', 1, 5);
    const leftVo = teamVoiceOverName(folderName, 'rep-left', 1, MEDIA.countsPerMaster);
    const report = await readFile(result.report, 'utf8');
    expect(report).toContain('Picture and sound check, worth fixing');
    expect(report).toMatch(
      new RegExp(
        `^  ${intro}: black picture from 0\\.0 s to 1\\.[12] s — trim the black start or re-export the clip$`,
        'm',
      ),
    );
    expect(report).toContain(
      `  ${leftVo}: the voice-over is silent — export the recording again with the voice audible\n`,
    );

    // Every voice-over object carries its loudness, the one cut out of the intro video's sound too.
    const right = await metadataOf(`${slug}/audio/ro/rep-right-vo-1.mp3`);
    expect(right['loudness-lufs']).toMatch(/^-\d+\.\d$/);
    expect(right['true-peak-dbtp']).toMatch(/^-?\d+\.\d$/);
    expect(await metadataOf(`${slug}/audio/ro/rep-left-vo-1.mp3`)).toMatchObject({
      'loudness-lufs': '-70.0',
      'true-peak-dbtp': '-70.0',
    });
    const extracted = await metadataOf(`${slug}/audio/ro/intro-vo-1.mp3`);
    expect(Number(extracted['loudness-lufs'])).toBeGreaterThan(-30);
    expect(Number(extracted['loudness-lufs'])).toBeLessThan(-15);
    expect(await metadataOf(`${slug}/intro-video-1.mp4`)).not.toHaveProperty('loudness-lufs');

    const events = bodiesOf(await drainQueue(world.clients.sqs, world.route.queueUrl)).map((body) =>
      parsePipelineMessage(body),
    );
    const synced = events.find((event) => event.ok && event.message.type === 'bundle-synced');
    const findings = synced?.ok && synced.message.type === 'bundle-synced' ? synced.message.findings : [];
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'black', file: intro, atSeconds: 0, action: 'warn' }),
        expect.objectContaining({
          kind: 'silent',
          file: leftVo,
          action: 'warn',
          message: `${leftVo}: the voice-over is silent — export the recording again with the voice audible`,
        }),
      ]),
    );
  }, 180_000);

  it('refuses the delivery when the config makes a silent voice-over a refusal', async () => {
    const folderName = '002 Umeri Rotiri';
    const dir = await flawedDelivery('drop-refuse', folderName);
    const configPath = join(world.root, 'qc-refuse.json');
    await writeFile(configPath, JSON.stringify({ qc: { silent: 'refuse' } }));
    const run = await runAgent(['ingest', dir, '--config', configPath, '--json'], world.env());
    const result = run.json as { status: string; report: string };
    expect(result.status).toBe('refused');
    expect(await listKeys(world.clients.s3, world.bucket, 'umeri-rotiri/')).toEqual([]);

    const leftVo = teamVoiceOverName(folderName, 'rep-left', 1, MEDIA.countsPerMaster);
    const report = await readFile(join(dir, '_REPORT.txt'), 'utf8');
    expect(report).toContain('This delivery was NOT accepted.');
    expect(report).toContain(
      [
        `File: ${leftVo}`,
        '   Problem: the voice-over is silent',
        '   How to fix: Export the recording again with the voice audible',
      ].join('\n'),
    );
    // The black intro stays a warning, listed beside the refusal.
    expect(report).toMatch(/^ {2}002 Umeri Rotiri - Intro\.mp4: black picture from 0\.0 s/m);
    const events = bodiesOf(await drainQueue(world.clients.sqs, world.route.queueUrl)).map((body) =>
      parsePipelineMessage(body),
    );
    const refused = events.find((event) => event.ok && event.message.type === 'delivery-refused');
    expect(refused?.ok && refused.message).toMatchObject({
      type: 'delivery-refused',
      reasons: [{ file: leftVo, problem: 'the voice-over is silent' }],
    });
  }, 180_000);

  it('uploads nothing when a black picture is a refusal: the picture check then runs before any upload', async () => {
    const folderName = '003 Umeri Presari';
    const dir = await flawedDelivery('drop-black-refuse', folderName);
    const configPath = join(world.root, 'qc-black-refuse.json');
    await writeFile(configPath, JSON.stringify({ qc: { black: 'refuse' } }));
    const run = await runAgent(['ingest', dir, '--config', configPath, '--json'], world.env());
    const result = run.json as { status: string };
    expect(result.status).toBe('refused');
    expect(await listKeys(world.clients.s3, world.bucket, 'umeri-presari/')).toEqual([]);

    const intro = teamVideoName(folderName, 'intro', 1, 5);
    const report = await readFile(join(dir, '_REPORT.txt'), 'utf8');
    expect(report).toContain('This delivery was NOT accepted.');
    expect(report).toMatch(
      new RegExp(`File: ${intro}\n {3}Problem: black picture from 0\\.0 s to 1\\.[12] s$`, 'm'),
    );
  }, 180_000);
});
