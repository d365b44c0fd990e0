/**
 * Loudness at compose with real ffmpeg: a loud and a quiet voice-over come out of one render at the
 * target, and the gains are the same whether the loudness comes from the objects' S3 metadata
 * (moto) or is measured, including when the metadata is garbage.
 */
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { exercisePrefix, runFfmpeg } from '@exercise-pipeline/shared';
import { createTempRoot, type TempRoot } from '@exercise-pipeline/test/consumer';
import { type GeneratedBundle, leftRightRecipe } from '@exercise-pipeline/test/fixtures';
import { createAwsClients, uniqueName, useMotoServer } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadCache } from '../bundle/download-cache.js';
import { S3BundleSource } from '../bundle/s3-bundle-source.js';
import type { BundleSource } from './bundle-source.js';
import { composeRecipe, planRenderCommand } from './compose.js';
import { LocalBundleSource } from './local-bundle-source.js';
import { DEFAULT_LOUDNESS_TARGET, type Loudness, type LoudnessTarget, measureLoudness } from './loudness.js';
import { type ComposeLogger, defaultMediaRunner, type MediaRunner } from './media-runner.js';
import { ProbeCache } from './probe-cache.js';

const moto = useMotoServer('compose-loudness');
const bucket = uniqueName('assets');
let aws: ReturnType<typeof createAwsClients>;
let root: TempRoot;
let bundle: GeneratedBundle;
/** What ebur128 says about each voice-over of the bundle, by relative key. */
const measured = new Map<string, Loudness>();

const LOUD = ['audio/ro/intro-vo-1.mp3', 'audio/ro/pauza-vo-1.mp3', 'audio/ro/rep-left-vo-1.mp3'];
const QUIET = ['audio/ro/outro-vo-1.mp3'];
/** Quiet, but with a loud burst in the second the render uses: its gain is held down by its peak. */
const PEAKY = 'audio/ro/rep-right-vo-1.mp3';
const VOICE_OVERS = [...LOUD, PEAKY, ...QUIET];
/** The AAC encode may overshoot a -1 dBTP source by a few tenths of a dB. */
const ENCODE_PEAK_TOLERANCE_DB = 0.5;

/**
 * A 440 Hz tone of `amplitude` (0.63 is about -8 LUFS in mono, 0.05 about -30), optionally with a
 * 20 ms burst of `burst` at 0.5 s, as an MP3 as long as the clip it replaces; written aside and
 * renamed, so the fixture cache is never touched. Stereo keeps the burst's peak as it is in the
 * render (a mono clip is spread over both channels at -3 dB each).
 */
async function replaceWithTone(file: string, seconds: number, tone: Tone): Promise<void> {
  const partial = `${file}.tone.mp3`;
  const burst = tone.burst ? `+if(between(t,0.5,0.52),${tone.burst}*sin(2*PI*440*t),0)` : '';
  await runFfmpeg([
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=exprs='${tone.amplitude}*sin(2*PI*440*t)${burst}':s=44100:d=${seconds}`,
    '-c:a',
    'libmp3lame',
    '-b:a',
    '128k',
    '-ac',
    String(tone.channels),
    '-y',
    partial,
  ]);
  await rename(partial, file);
}

interface Tone {
  amplitude: number;
  burst?: number;
  channels: 1 | 2;
}

const TONES = {
  loud: { amplitude: 0.63, channels: 1 },
  quiet: { amplitude: 0.05, channels: 1 },
  peaky: { amplitude: 0.035, burst: 0.5, channels: 2 },
} satisfies Record<string, Tone>;

beforeAll(async () => {
  root = await createTempRoot('compose-loudness-');
  bundle = await root.bundle('bundle');
  for (const key of VOICE_OVERS) {
    const seconds = key.includes('/rep-') ? 4 : 2;
    const tone = LOUD.includes(key) ? TONES.loud : key === PEAKY ? TONES.peaky : TONES.quiet;
    await replaceWithTone(path.join(bundle.dir, key), seconds, tone);
    measured.set(key, await measureLoudness(defaultMediaRunner, path.join(bundle.dir, key), 'mp3'));
  }
  aws = createAwsClients(moto.endpoint);
  await aws.s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
    }),
  );
}, 120_000);

afterAll(async () => {
  await aws?.close();
  await root?.remove();
});

const recipeInput = leftRightRecipe('detensionari-lombare', [5, 5], 1);

/** A runner that records which files ebur128 measured. */
function recordingRunner(): MediaRunner & { measuredFiles: string[] } {
  const measuredFiles: string[] = [];
  return {
    measuredFiles,
    ffmpeg: (args, options) => {
      if (args.some((arg) => arg.startsWith('ebur128='))) measuredFiles.push(args[args.indexOf('-i') + 1]!);
      return defaultMediaRunner.ffmpeg(args, options);
    },
    probe: (file, options) => defaultMediaRunner.probe(file, options),
  };
}

function recordingLogger(): ComposeLogger & { warnings: { details: object; message: string }[] } {
  const warnings: { details: object; message: string }[] = [];
  return { warnings, info() {}, warn: (details, message) => warnings.push({ details, message }) };
}

/** The bundle in the bucket under `slug`, each voice-over with the metadata `metadataOf` gives it. */
async function upload(slug: string, metadataOf: (key: string) => Record<string, string> | undefined) {
  for (const relative of [...bundle.files.map((file) => file.path), 'manifest.json']) {
    const metadata = metadataOf(relative);
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${exercisePrefix(slug)}${relative}`,
        Body: await readFile(path.join(bundle.dir, relative)),
        ...(metadata ? { Metadata: metadata } : {}),
      }),
    );
  }
  const cache = new DownloadCache({ dir: path.join(root.dir, `cache-${slug}`) });
  return new S3BundleSource({ s3: aws.s3, bucket, slug, cache });
}

async function gainsOf(
  source: BundleSource,
  runner: MediaRunner,
  options: { logger?: ComposeLogger; probeCache?: ProbeCache; loudness?: LoudnessTarget } = {},
) {
  const command = await planRenderCommand({
    source,
    recipeInput,
    assetVersion: 1,
    concatListPath: path.join(root.dir, 'unused.ffconcat'),
    outPath: path.join(root.dir, 'unused.mp4'),
    runner,
    ...options,
  });
  const filter = command.args[command.args.indexOf('-filter_complex') + 1]!;
  return { gains: command.renderInput.audio.map((clip) => clip.gainDb ?? 0), filter };
}

/** The local bundle's probes and measurements, shared by the plans that do not count them. */
const localProbes = new ProbeCache();
let localGains: Promise<number[]> | undefined;
/** The gains of the local (measured) bundle, computed once for the comparisons below. */
function measuredGains(): Promise<number[]> {
  localGains ??= gainsOf(new LocalBundleSource(bundle.dir), recordingRunner(), {
    probeCache: localProbes,
  }).then((plan) => plan.gains);
  return localGains;
}

describe('loudness at compose', () => {
  it('made a loud (-8 LUFS) and a quiet (-30 LUFS) voice-over to start from', () => {
    for (const key of LOUD) expect(measured.get(key)!.integratedLufs).toBeCloseTo(-8, 0);
    for (const key of QUIET) expect(measured.get(key)!.integratedLufs).toBeCloseTo(-30, 0);
    // Far more peak than loudness: the gain to the target would take it well over -1 dBTP.
    const peaky = measured.get(PEAKY)!;
    expect(peaky.truePeakDbtp - peaky.integratedLufs).toBeGreaterThan(20);
  });

  it('brings the render to the target in its one audio encode, its true peak under -1 dBTP', async () => {
    const render = (name: string, runner: MediaRunner, loudness?: false) =>
      composeRecipe({
        source: new LocalBundleSource(bundle.dir),
        recipeInput,
        assetVersion: 1,
        outPath: path.join(root.dir, 'out', name),
        runner,
        ...(loudness === false ? { loudness } : {}),
      });
    const runner = recordingRunner();
    const normalised = await render('normalised.mp4', runner);
    // Each voice-over measured once, then one render.
    expect(runner.measuredFiles.map((file) => path.relative(bundle.dir, file.replace(/^file:/, '')))).toEqual(
      expect.arrayContaining(VOICE_OVERS),
    );
    expect(runner.measuredFiles).toHaveLength(VOICE_OVERS.length);
    const output = await measureLoudness(defaultMediaRunner, normalised.path, 'mp4');
    expect(Math.abs(output.integratedLufs - DEFAULT_LOUDNESS_TARGET.integratedLufs)).toBeLessThanOrEqual(1);
    expect(output.truePeakDbtp).toBeLessThanOrEqual(
      DEFAULT_LOUDNESS_TARGET.truePeakDbtp + ENCODE_PEAK_TOLERANCE_DB,
    );
    // The burst was brought right up to the ceiling: the peak limit is what held it.
    expect(output.truePeakDbtp).toBeGreaterThan(DEFAULT_LOUDNESS_TARGET.truePeakDbtp - 1);

    // Switched off, the same recipe keeps the delivered levels (so the check above can fail), and
    // nothing is measured.
    const offRunner = recordingRunner();
    const asDelivered = await render('as-delivered.mp4', offRunner, false);
    expect(offRunner.measuredFiles).toEqual([]);
    const delivered = await measureLoudness(defaultMediaRunner, asDelivered.path, 'mp4');
    expect(delivered.integratedLufs).toBeGreaterThan(-12);
  }, 60_000);

  it('follows a configured target', async () => {
    const gains = await measuredGains();
    const quieter = await gainsOf(new LocalBundleSource(bundle.dir), recordingRunner(), {
      probeCache: localProbes,
      loudness: { ...DEFAULT_LOUDNESS_TARGET, integratedLufs: -23 },
    });
    // 7 dB less for every clip but the peaky one, which -23 LUFS no longer peak-limits.
    const peaky = measured.get(PEAKY)!;
    expect(quieter.gains[3]).toBeCloseTo(-23 - peaky.integratedLufs, 6);
    for (const i of [0, 1, 2, 4]) expect(quieter.gains[i]).toBeCloseTo(gains[i]! - 7, 6);
  });

  it('takes the loudness from the S3 metadata when present, with the gains measuring gives', async () => {
    const local = await measuredGains();
    const source = await upload(uniqueName('tagged'), (key) => {
      const loudness = measured.get(key);
      return (
        loudness && {
          'loudness-lufs': loudness.integratedLufs.toFixed(1),
          'true-peak-dbtp': loudness.truePeakDbtp.toFixed(1),
        }
      );
    });
    const runner = recordingRunner();
    const tagged = await gainsOf(source, runner);
    expect(runner.measuredFiles).toEqual([]);
    expect(tagged.gains).toEqual(local);
    // In timeline order: loud clips turned down about 8 dB, the quiet one up about 14 dB, and the
    // peaky one only as far as its true peak allows.
    const peaky = measured.get(PEAKY)!;
    expect(tagged.gains.map(Math.round)).toEqual([-8, -8, -8, Math.round(-1 - peaky.truePeakDbtp), 14]);
    expect(tagged.gains[3]).toBeLessThan(DEFAULT_LOUDNESS_TARGET.integratedLufs - peaky.integratedLufs - 5);
    expect(tagged.filter).toMatch(/volume=-7\.\d\ddB/);
  });

  it('measures past garbage metadata, warning with the object and the field', async () => {
    const local = await measuredGains();
    const slug = uniqueName('garbage');
    const source = await upload(slug, (key) =>
      key.endsWith('.mp3') ? { 'loudness-lufs': 'loud', 'true-peak-dbtp': '-3' } : undefined,
    );
    const runner = recordingRunner();
    const logger = recordingLogger();
    const garbage = await gainsOf(source, runner, { logger });
    expect(garbage.gains).toEqual(local);
    expect(runner.measuredFiles).toHaveLength(VOICE_OVERS.length);
    const warned = logger.warnings.map((warning) => warning.details as { file: string; problem: string });
    expect(warned.map((w) => w.file).sort()).toEqual(
      VOICE_OVERS.map((key) => `s3://${bucket}/${exercisePrefix(slug)}${key}`).sort(),
    );
    expect(warned[0]!.problem).toBe('loudness-lufs must be a decimal between -70 and +5, got "loud"');
  });
});
