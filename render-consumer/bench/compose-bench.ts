/**
 * How fast `pnpm consumer compose` renders the seed's recipe shape (2 sets × 10 reps of 1080p
 * H.264, about 105 s of output), next to the bare ffmpeg command it wraps and a full re-encode.
 *
 *   npx tsx render-consumer/bench/compose-bench.ts [--rounds 3] [--reencode-rounds 1] [--keep]
 *
 * Each round runs, one after the other: (a) the real CLI as a child process, start-up included;
 * (b) the same plan's stream-copy ffmpeg command (planRenderCommand: concat list, audio graph,
 * AAC encode) run directly; (c) the same segments through the concat filter with libx264
 * `veryfast`, only in the first --reencode-rounds rounds because it takes ~45 s or more.
 * The primitives are moving, detailed 1080p clips (moving-media.ts), not the fixtures' solid
 * colours, so the re-encode costs what it costs on filmed footage.
 * Machines are shared and noisy, so only ratios measured side by side in one run mean anything.
 * Exit 0 when both targets hold, 1 when one does not, 2 for bad flags.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { probeMedia } from '@exercise-pipeline/shared';
import { wholeNumberFlag } from '@exercise-pipeline/shared/bench';
import { buildRenderArgs, LocalBundleSource, planRenderCommand } from '../src/compose/index.js';
import { type BenchSamples, formatReport, verdict } from './bench-report.js';
import { MOVING_SOURCE_NOTE } from './moving-media.js';
import {
  benchCacheRoot,
  SEED_LANGUAGE,
  SEED_RECIPE_SEED,
  SEED_SETS_FLAG,
  seedShapedBundle,
} from './seed-bundle.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SETS = SEED_SETS_FLAG;
const SEED = SEED_RECIPE_SEED;
const LANGUAGE = SEED_LANGUAGE;

interface Flags {
  rounds: number;
  reencodeRounds: number;
  keep: boolean;
}

function readFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '3' },
      'reencode-rounds': { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
    },
  });
  const rounds = wholeNumberFlag('rounds', values.rounds);
  // 0 skips the slow baseline while tuning; its ratio then reads n/a.
  const reencodeRounds = Math.min(rounds, wholeNumberFlag('reencode-rounds', values['reencode-rounds'], 0));
  return { rounds, reencodeRounds, keep: values.keep };
}

interface Run {
  seconds: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion, timing it from spawn to exit; rejects on a non-zero exit. */
function timed(program: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(program, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: string[] = [];
    const stderr: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const run = { seconds: elapsed(started), stdout: stdout.join(''), stderr: stderr.join('') };
      if (code === 0) resolve(run);
      else reject(new Error(`${program} ${args.join(' ')} exited with ${code}:\n${run.stderr.slice(-2000)}`));
    });
  });
}

/** The composer's own time from its `composed` log line (JSON lines on stderr). */
function inProcessSeconds(stderr: string): number {
  for (const line of stderr.split('\n')) {
    if (!line.includes('"composed"')) continue;
    const record = JSON.parse(line) as { elapsedMs?: number };
    if (typeof record.elapsedMs === 'number') return record.elapsedMs / 1000;
  }
  return Number.NaN;
}

async function main(): Promise<number> {
  let flags: Flags;
  try {
    flags = readFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const benchRoot = benchCacheRoot();
  await mkdir(benchRoot, { recursive: true });
  const bundleDir = await seedShapedBundle(benchRoot);
  const work = await mkdtemp(path.join(benchRoot, 'run-'));
  try {
    const source = new LocalBundleSource(bundleDir);
    const manifest = JSON.parse(await source.readManifest()) as { exercise: string };
    const recipeInput = {
      exercise: manifest.exercise,
      language: LANGUAGE,
      sets: SETS.split(',').map((item) => ({ side: item.split(':')[0], reps: Number(item.split(':')[1]) })),
      seed: SEED,
    };
    const concatListPath = path.join(work, 'bare.ffconcat');
    const copyOut = path.join(work, 'bare-copy.mp4');
    const reencodeOut = path.join(work, 'reencode.mp4');
    const composeOut = path.join(work, 'compose.mp4');
    // The CLI renders a --bundle at asset version 1, so this plan makes the same variant choices.
    const command = await planRenderCommand({
      source,
      recipeInput,
      assetVersion: 1,
      concatListPath,
      outPath: copyOut,
    });
    if (command.mode !== 'copy') throw new Error(`expected a stream-copy plan, got ${command.mode}`);
    await writeFile(concatListPath, command.concatList ?? '');
    const reencodeArgs = buildRenderArgs({ ...command.renderInput, mode: 'reencode', outPath: reencodeOut });
    const ffmpegHead = ['-hide_banner', '-nostdin', '-nostats'];
    const composeArgs = ['consumer', 'compose', '--bundle', bundleDir, '--language', LANGUAGE];
    composeArgs.push('--sets', SETS, '--seed', String(SEED), '--out', composeOut, '--json');
    const composeEnv = { ...process.env, DATA_DIR: path.join(benchRoot, 'data'), LOG_LEVEL: 'info' };

    const runCompose = () => timed('pnpm', composeArgs, composeEnv);
    const runCopy = () => timed('ffmpeg', [...ffmpegHead, ...command.args]);
    const runReencode = () => timed('ffmpeg', [...ffmpegHead, ...reencodeArgs]);

    log(`plan: ${command.totalSeconds.toFixed(3)} s, ${command.mode}; warm-up (not counted)…`);
    const warm = await runCompose();
    const reported = JSON.parse(warm.stdout) as { mode: string; durationSeconds: number };
    if (reported.mode !== 'copy') throw new Error(`the CLI rendered in ${reported.mode} mode, not copy`);
    await runCopy();

    const samples: BenchSamples = { compose: [], copy: [], reencode: [], composeInProcess: [] };
    for (let round = 1; round <= flags.rounds; round += 1) {
      const compose = await runCompose();
      samples.compose.push(compose.seconds);
      samples.composeInProcess.push(inProcessSeconds(compose.stderr));
      samples.copy.push((await runCopy()).seconds);
      if (round <= flags.reencodeRounds) samples.reencode.push((await runReencode()).seconds);
      log(
        `round ${round}/${flags.rounds}: compose ${samples.compose.at(-1)!.toFixed(3)} s, ` +
          `copy ${samples.copy.at(-1)!.toFixed(3)} s` +
          (round <= flags.reencodeRounds ? `, re-encode ${samples.reencode.at(-1)!.toFixed(3)} s` : ''),
      );
    }
    await expectSameLength(
      flags.reencodeRounds > 0 ? [composeOut, copyOut, reencodeOut] : [composeOut, copyOut],
      command.totalSeconds,
    );
    process.stdout.write(`${MOVING_SOURCE_NOTE}\n${formatReport(samples, command.totalSeconds)}\n`);
    if (flags.keep) log(`kept ${work}`);
    const result = verdict(samples);
    return result.copyOk && result.reencodeOk ? 0 : 1;
  } finally {
    if (!flags.keep) await rm(work, { recursive: true, force: true });
  }
}

/** A benchmark of renders that came out wrong would measure nothing: every output must last the plan. */
async function expectSameLength(files: readonly string[], seconds: number): Promise<void> {
  for (const file of files) {
    const probe = await probeMedia(file);
    if (Math.abs(probe.durationSeconds - seconds) > 0.1) {
      throw new Error(`${file} lasts ${probe.durationSeconds} s, the plan ${seconds.toFixed(3)} s`);
    }
  }
}

function elapsed(started: number): number {
  return (performance.now() - started) / 1000;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

process.exitCode = await main();
