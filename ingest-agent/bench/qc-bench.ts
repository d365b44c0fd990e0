/**
 * What the picture and sound check adds to an ingest, measured side by side in one run: the same
 * seed-shaped delivery at 1080p (2 sets × 10 reps: two takes per rep side, intro, pauza, outro, the
 * four counting voice-overs; about 105 s of moving picture) ingested with `qc.enabled` true and
 * false, into an empty bucket each time, several rounds, medians and their ratio.
 *
 *   npx tsx ingest-agent/bench/qc-bench.ts [--rounds 5] [--height 1080] [--keep]
 *       [--upload-mbps 50 [--latency-ms 30]] [--qc '{"blackMinSeconds":0.5}' ...]
 *
 * By default ingest as a studio runs it: every S3 request goes through a proxy that lets
 * `--upload-mbps` (default 50) Mbit/s through in total, however many parts are in flight (the
 * studio's uplink is one link), and answers `--latency-ms` late (default 30: a round trip from a studio in Romania to
 * eu-central-1): that is ingest as a studio sees it, where the upload is most of the time and the
 * picture check, running beside it, can hide behind it. 50 Mbit/s is a plausible studio uplink (a
 * small office's business fibre or cable line, shared with the rest of the office); try 20 for a
 * slow line and 100 for a fast one. The proxy runs in this process, so its CPU counts with the agent.
 * `--upload-mbps 0` uploads to moto over loopback instead, where an upload costs almost nothing:
 * the ratio then shows the check's CPU cost against an ingest that is only staging, hashing and
 * probing (on 2 cores the keyframes of 1080p footage alone cost more than a quarter of that).
 *
 * `--qc JSON` (repeatable) adds a variant of "QC on" with those `qc` settings over the defaults, run
 * in every round beside QC off and the default QC on, with its own median and ratio: e.g.
 * `{"blackMinSeconds":0.5}` makes the picture check decode every frame of footage with a keyframe
 * every second, where the default 1 s lets it go keyframe first (see the README).
 *
 * Each ingest runs in this process against a local moto_server with a fresh bucket and DATA_DIR
 * (so every file is hashed and uploaded), `settleCheckMs: 0` (the watcher's own setting; the
 * default 1 s wait would only hide the cost), and the modes alternate who goes first so neither
 * always gets a warm page cache. With the default config (no black or freeze refusal) the videos'
 * picture check runs beside staging and upload (at a lower priority) and is awaited before the
 * manifest, so the bench measures what the team waits for, not only the decode. Each round prints every mode's time and its
 * ratio to that round's QC off; the summary prints the medians side by side. Goal: QC on at most
 * 1.25× QC off. Machines are shared and noisy: only the ratios of one run mean anything. Exit 0 when
 * the goal holds for the default QC on, 1 when not, 2 for bad flags.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@exercise-pipeline/shared';
import { median, wholeNumberFlag } from '@exercise-pipeline/shared/bench';
import { startThrottleProxy, type ThrottleProxy } from '@exercise-pipeline/test/doubles';
import { generateDelivery } from '@exercise-pipeline/test/fixtures';
import { startMoto } from '../../render-consumer/bench/bench-moto.js';
import { MOVING_SOURCE_NOTE, writeMovingClips } from '../../render-consumer/bench/moving-media.js';
import { SEED_MEDIA } from '../../render-consumer/bench/seed-bundle.js';
import { ingestDelivery } from '../src/ingest/index.js';
import { agentConfigSchema } from '../src/rules/agent-config.js';

const GOAL_RATIO = 1.25;
/** Bump when the delivery's shape changes so a cached one of another shape is never reused. */
const DELIVERY_VERSION = 1;
const FOLDER_NAME = '001 Detensionari Lombare';

/** The seed's shape (render-consumer/bench/seed-bundle.ts) as the team delivers it. */
const { fps, repSeconds, framingSeconds, repsPerBlock, countsPerMaster, variants } = SEED_MEDIA;
const SEED_DELIVERY = { fps, repSeconds, framingSeconds, repsPerBlock, countsPerMaster, variants };

/** One way of ingesting: QC off, QC on with the defaults, or QC on with some `qc` settings changed. */
interface Mode {
  label: string;
  qc: Record<string, unknown>;
}

interface Flags {
  rounds: number;
  /** QC on with these `qc` settings, beside QC on with the defaults. */
  variants: Record<string, unknown>[];
  height: number;
  keep: boolean;
  /** Undefined (`--upload-mbps 0`): loopback, the upload at moto's speed. */
  uploadMbps: number | undefined;
  latencyMs: number;
}

function readFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '5' },
      height: { type: 'string', default: '1080' },
      keep: { type: 'boolean', default: false },
      'upload-mbps': { type: 'string', default: '50' },
      'latency-ms': { type: 'string' },
      qc: { type: 'string', multiple: true },
    },
  });
  const uploadMbps = wholeNumberFlag('upload-mbps', values['upload-mbps'], 0);
  if (uploadMbps === 0 && values['latency-ms'] !== undefined) {
    throw new Error('--latency-ms needs an uplink (--upload-mbps 0 is loopback, with nothing to delay)');
  }
  const variants = (values.qc ?? []).map((text) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`--qc must be a JSON object of qc settings, got ${JSON.stringify(text)}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`--qc must be a JSON object of qc settings, got ${JSON.stringify(text)}`);
    }
    // Checked now, so a typo stops the bench before it generates or ingests anything.
    agentConfigSchema.parse({ qc: parsed });
    return parsed as Record<string, unknown>;
  });
  return {
    rounds: wholeNumberFlag('rounds', values.rounds),
    variants,
    height: wholeNumberFlag('height', values.height),
    keep: values.keep,
    uploadMbps: uploadMbps === 0 ? undefined : uploadMbps,
    latencyMs: wholeNumberFlag('latency-ms', values['latency-ms'] ?? '30', 0),
  };
}

/** The delivery folder (generated once, then reused), its videos replaced by moving footage. */
async function seedShapedDelivery(root: string, height: number): Promise<string> {
  const width = Math.round((height * 16) / 9 / 2) * 2;
  const parent = path.join(root, `delivery-${height}p-v${DELIVERY_VERSION}`);
  const dir = path.join(parent, FOLDER_NAME);
  if (existsSync(dir)) return dir;
  process.stderr.write(`generating the ${height}p delivery in ${dir} (once; later runs reuse it)…\n`);
  const partial = `${parent}.partial`;
  await rm(partial, { recursive: true, force: true });
  const generated = await generateDelivery(partial, {
    ...SEED_DELIVERY,
    width,
    height,
    folderName: FOLDER_NAME,
    cacheDir: path.join(root, 'media-cache'),
  });
  // Solid colours decode (and compress) almost for free; filmed footage does not.
  await writeMovingClips(
    generated.files
      .filter((file) => file.kind === 'video')
      .map((file, index) => ({
        path: path.join(generated.dir, file.name),
        width,
        height,
        fps: SEED_DELIVERY.fps,
        seconds:
          file.slot?.startsWith('rep-') === true
            ? SEED_DELIVERY.repsPerBlock * SEED_DELIVERY.repSeconds
            : SEED_DELIVERY.framingSeconds,
        index,
      })),
  );
  await rm(parent, { recursive: true, force: true });
  await rename(partial, parent);
  return dir;
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(path.join(dir, name))).size;
  return total;
}

/**
 * CPU seconds of this process and of the children it waited for (every ffmpeg and ffprobe), from
 * /proc/self/stat; undefined without /proc. Unlike wall time, it hardly moves with other load.
 */
function agentCpuSeconds(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name: utime, stime, cutime, cstime are 14 to 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}

async function main(): Promise<void> {
  let flags: Flags;
  try {
    flags = readFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const root = path.resolve(process.env.DATA_DIR ?? tmpdir(), 'qc-bench');
  const delivery = await seedShapedDelivery(root, flags.height);
  // The bench talks only to its own moto_server: dummy credentials, never a developer's real ones.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  const moto = await startMoto();
  const bytes = await folderBytes(delivery);
  const megabytes = bytes / 1e6;
  let proxy: ThrottleProxy | undefined;
  if (flags.uploadMbps !== undefined) {
    proxy = await startThrottleProxy(moto.endpoint, (flags.uploadMbps * 1e6) / 8, {
      sharedLink: true,
      latencyMs: flags.latencyMs,
    });
  }
  const uplink =
    flags.uploadMbps === undefined
      ? "upload: loopback to moto, no bandwidth limit (shows the check's CPU cost)"
      : `upload: ${flags.uploadMbps} Mbit/s shared by all connections, responses ${flags.latencyMs} ms late ` +
        `(the delivery alone needs ${((bytes * 8) / (flags.uploadMbps * 1e6)).toFixed(1)} s at that rate)`;
  const work = path.join(root, `run-${process.pid}`);
  const modes: Mode[] = [
    { label: 'QC off', qc: { enabled: false } },
    { label: 'QC on', qc: {} },
    ...flags.variants.map((qc) => ({ label: `QC on ${JSON.stringify(qc)}`, qc })),
  ];
  const times = modes.map((): number[] => []);
  const cpu = modes.map((): number[] => []);
  const ratios = modes.map((): number[] => []);
  try {
    process.stdout.write(
      `delivery: ${delivery} (${flags.height}p, ${megabytes.toFixed(1)} MB); ${MOVING_SOURCE_NOTE}\n` +
        `${uplink}\nmoto at ${moto.endpoint}; ${flags.rounds} round(s)\n`,
    );
    for (let round = 1; round <= flags.rounds; round += 1) {
      // Who goes first rotates, so no mode always gets a warm (or cold) page cache.
      const order = modes.map((_, index) => (index + round - 1) % modes.length);
      const seconds: number[] = [];
      const line: string[] = [];
      for (const index of order) {
        const mode = modes[index]!;
        const runDir = path.join(work, `${round}-${index}`);
        const drop = path.join(runDir, 'drop');
        await mkdir(drop, { recursive: true });
        // A copy per ingest: the agent moves the folder to processed/ once done.
        await cp(delivery, path.join(drop, FOLDER_NAME), { recursive: true });
        const bucket = `qc-bench-${round}-${index}`;
        const admin = createS3Client({ endpoint: moto.endpoint, region: 'eu-central-1' });
        await admin.send(
          new CreateBucketCommand({
            Bucket: bucket,
            CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
          }),
        );
        admin.destroy();
        // The agent's own requests take the uplink when there is one.
        const s3 = createS3Client({ endpoint: proxy?.endpoint ?? moto.endpoint, region: 'eu-central-1' });
        const config = agentConfigSchema.parse({ qc: mode.qc });
        const cpuBefore = agentCpuSeconds();
        const started = performance.now();
        const result = await ingestDelivery({
          folder: path.join(drop, FOLDER_NAME),
          config,
          s3,
          bucket,
          eventBusName: 'default',
          dataDir: path.join(runDir, 'data'),
          settleCheckMs: 0,
        });
        const elapsed = (performance.now() - started) / 1000;
        const cpuAfter = agentCpuSeconds();
        const cpuSeconds =
          cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
        if (cpuSeconds !== undefined) cpu[index]!.push(cpuSeconds);
        s3.destroy();
        if (result.status !== 'done') {
          throw new Error(
            `ingest with ${mode.label} ended ${result.status}: ${JSON.stringify(result.rejected)}`,
          );
        }
        times[index]!.push(elapsed);
        seconds[index] = elapsed;
        const cpuText = cpuSeconds === undefined ? '' : `, CPU ${cpuSeconds.toFixed(1)} s`;
        line[index] =
          `${mode.label} ${elapsed.toFixed(2)} s (${(result.findings ?? []).length} findings${cpuText})`;
        await rm(runDir, { recursive: true, force: true });
      }
      const off = seconds[0]!;
      for (let index = 1; index < modes.length; index += 1) {
        ratios[index]!.push(seconds[index]! / off);
        line[index] += ` ${(seconds[index]! / off).toFixed(2)}×`;
      }
      process.stdout.write(`round ${round}: ${line.join(', ')}\n`);
    }
  } finally {
    await proxy?.close();
    await moto.stop();
    if (!flags.keep) await rm(work, { recursive: true, force: true });
  }
  const off = median(times[0]!);
  const table = modes.map((mode, index) => {
    const seconds = median(times[index]!);
    const cpuText = cpu[index]!.length > 0 ? `, CPU ${median(cpu[index]!).toFixed(1)} s` : '';
    if (index === 0) return `  ${mode.label}: median ${seconds.toFixed(2)} s${cpuText}`;
    const ratio = seconds / off;
    const verdict = ratio <= GOAL_RATIO ? 'OK' : 'NOT MET';
    return (
      `  ${mode.label}: median ${seconds.toFixed(2)} s${cpuText}; ratio of medians ${ratio.toFixed(3)} ` +
      `(median of the rounds' ratios ${median(ratios[index]!).toFixed(3)}; goal <= ${GOAL_RATIO}) ${verdict}`
    );
  });
  const ratio = median(times[1]!) / off;
  process.stdout.write(
    [
      '',
      uplink,
      `delivery: ${megabytes.toFixed(1)} MB; ${flags.rounds} round(s), modes interleaved`,
      ...table,
      "  (CPU: the agent's and its ffmpeg's CPU seconds, the proxy's included; moto's own not counted)",
      '',
    ].join('\n'),
  );
  process.exitCode = ratio <= GOAL_RATIO ? 0 : 1;
}

await main();
