/**
 * Sync benchmark: our delta sync against `rclone copy` on the same ~160 MB, 31-file bundle and the
 * same moto_server, several rounds, medians and ratios.
 *
 *   npx tsx ingest-agent/bench/sync-bench.ts [--rounds 5] [--keep]
 *
 * Measured per round (the tools alternate who goes first, so neither always gets a warm page cache):
 * - initial: an empty bucket prefix (our hash cache empty too, so every file is hashed and uploaded)
 *   vs `rclone copy`;
 * - no-op: the same bundle again (our hash cache warm) vs `rclone copy --checksum`.
 * Our sync runs in this process with a fresh S3 client per run (connections are set up inside the
 * timing); rclone runs as a process, configured only through RCLONE_CONFIG_BENCH_* variables.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@exercise-pipeline/shared';
import { median } from '@exercise-pipeline/shared/bench';
import { syncBundle } from '../src/sync/sync-bundle.js';

const MiB = 1024 * 1024;
const SLUG = 'bench-exercise';

function argValue(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} expects a whole number >= 1`);
  return value;
}

/** 31 files, ~160 MiB: 10 rep videos of 12 MiB, 3 framing videos of 8 MiB, 17 voice-overs, the manifest. */
function bundleLayout(): Record<string, number> {
  const files: Record<string, number> = {};
  for (const side of ['left', 'right'])
    for (let n = 1; n <= 5; n += 1) files[`rep-${side}-video-${n}.mp4`] = 12 * MiB;
  for (const slot of ['intro', 'pauza', 'outro']) files[`${slot}-video-1.mp4`] = 8 * MiB;
  const voiceOvers: Record<string, string[]> = {
    ro: [
      'intro-vo-1',
      'pauza-vo-1',
      'outro-vo-1',
      'rep-left-vo-1',
      'rep-left-vo-2',
      'rep-left-vo-3',
      'rep-right-vo-1',
      'rep-right-vo-2',
      'rep-right-vo-3',
    ],
    en: [
      'intro-vo-1',
      'pauza-vo-1',
      'outro-vo-1',
      'rep-left-vo-1',
      'rep-left-vo-2',
      'rep-right-vo-1',
      'rep-right-vo-2',
      'rep-right-vo-3',
    ],
  };
  for (const [language, names] of Object.entries(voiceOvers)) {
    for (const name of names) files[`audio/${language}/${name}.mp3`] = Math.round(0.9 * MiB);
  }
  return files;
}

async function writeBundleDir(dir: string): Promise<{ files: number; bytes: number }> {
  const layout = bundleLayout();
  let bytes = 0;
  for (const [relative, size] of Object.entries(layout)) {
    await mkdir(dirname(join(dir, relative)), { recursive: true });
    await writeFile(join(dir, relative), randomBytes(size));
    bytes += size;
  }
  const manifest = JSON.stringify({ exercise: SLUG, languages: ['ro', 'en'] });
  await writeFile(join(dir, 'manifest.json'), manifest);
  return { files: Object.keys(layout).length + 1, bytes: bytes + manifest.length };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function startMoto(): Promise<{ endpoint: string; child: ChildProcess }> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) return { endpoint, child };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`moto_server did not answer on ${endpoint} within 15 s; is it on PATH?`);
}

async function runRclone(endpoint: string, args: string[]): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
    RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: 'test',
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: 'test',
    RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
  };
  delete env.AWS_CA_BUNDLE;
  const child = spawn('rclone', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`rclone ${args.join(' ')} exited with ${code}: ${stderr}`);
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  const rounds = argValue('--rounds', 5);
  const work = await mkdtemp(join(tmpdir(), 'sync-bench-'));
  const moto = await startMoto();
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  const timings = {
    oursInitial: [] as number[],
    rcloneInitial: [] as number[],
    oursNoop: [] as number[],
    rcloneNoop: [] as number[],
  };
  try {
    const bundleDir = join(work, 'bundle');
    const { files, bytes } = await writeBundleDir(bundleDir);
    console.log(
      `bundle: ${files} files, ${(bytes / 1e6).toFixed(1)} MB; moto at ${moto.endpoint}; ${rounds} round(s)`,
    );

    for (let round = 1; round <= rounds; round += 1) {
      // A fresh server state per round keeps moto's memory and temp files from growing across rounds.
      await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
      const admin = createS3Client({ endpoint: moto.endpoint, region: 'eu-central-1' });
      const oursBucket = `ours-${round}`;
      const rcloneBucket = `rclone-${round}`;
      for (const bucket of [oursBucket, rcloneBucket]) {
        await admin.send(
          new CreateBucketCommand({
            Bucket: bucket,
            CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
          }),
        );
      }
      admin.destroy();
      const dataDir = join(work, `data-${round}`);
      const ours = async () => {
        const s3 = createS3Client({ endpoint: moto.endpoint, region: 'eu-central-1' });
        try {
          return await syncBundle({
            s3,
            bucket: oursBucket,
            slug: SLUG,
            localDir: bundleDir,
            eventBusName: 'default',
            dataDir,
          });
        } finally {
          s3.destroy();
        }
      };
      const rclone = (checksum: boolean) =>
        runRclone(moto.endpoint, [
          'copy',
          ...(checksum ? ['--checksum'] : []),
          bundleDir,
          `bench:${rcloneBucket}/${SLUG}`,
        ]);

      const oursFirst = round % 2 === 1;
      const pairs: [keyof typeof timings, () => Promise<unknown>][] = [
        ['oursInitial', ours],
        ['rcloneInitial', () => rclone(false)],
        ['oursNoop', ours],
        ['rcloneNoop', () => rclone(true)],
      ];
      const order = oursFirst ? [0, 1, 2, 3] : [1, 0, 3, 2];
      const line: string[] = [];
      for (const index of order) {
        const [name, run] = pairs[index]!;
        const ms = await timed(run);
        timings[name].push(ms);
        line.push(`${name} ${ms.toFixed(0)} ms`);
      }
      console.log(`round ${round}: ${line.join(', ')}`);
    }

    const m = Object.fromEntries(
      Object.entries(timings).map(([name, values]) => [name, median(values)]),
    ) as Record<keyof typeof timings, number>;
    console.log('\nmedian (ms)         ours    rclone   ratio (ours / rclone, target <= 1.0)');
    console.log(
      `initial sync     ${m.oursInitial.toFixed(0).padStart(7)}  ${m.rcloneInitial.toFixed(0).padStart(7)}   ${(m.oursInitial / m.rcloneInitial).toFixed(2)}`,
    );
    console.log(
      `no-op re-sync    ${m.oursNoop.toFixed(0).padStart(7)}  ${m.rcloneNoop.toFixed(0).padStart(7)}   ${(m.oursNoop / m.rcloneNoop).toFixed(2)}   (rclone with --checksum)`,
    );
  } finally {
    moto.child.kill('SIGTERM');
    if (!process.argv.includes('--keep')) await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
