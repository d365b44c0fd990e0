/**
 * What the release costs at run time, measured side by side in one run: the built programs started
 * from their production folders (`pnpm deploy --prod`) on plain node, against bare node and the bare
 * ffmpeg command the composer wraps.
 *
 *   pnpm build && npx tsx render-consumer/bench/release-bench.ts [--rounds 5] [--startup-rounds 20] [--height 1080] [--keep]
 *
 * 1. Start-up: `node -e ""`, `exercise-agent --help` and `exercise-consumer --help`, interleaved,
 *    medians compared (goal: each program at most 0.25 s more than bare node).
 * 2. A warm `exercise-consumer compose` of the seed recipe (2 sets × 10 reps, about 105 s, 1080p or
 *    the --height given)
 *    from the production folder, against the same plan's stream-copy ffmpeg command with the same
 *    audio output run directly (goal: at most 1.25×).
 * 3. The same warm compose with loudness normalisation (the default) against `COMPOSE_LOUDNESS=off`,
 *    interleaved in the same rounds (goal: at most 1.10×), plus the first compose of each into an
 *    empty DATA_DIR, where normalisation also measures every voice-over once (reported, no goal).
 * Machines are shared and noisy: only the ratios of one run mean anything. Exit 0 when both goals
 * hold, 1 when one does not, 2 for bad flags.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, wholeNumberFlag } from '@exercise-pipeline/shared/bench';
import { LocalBundleSource, planRenderCommand } from '../src/compose/index.js';
import {
  benchCacheRoot,
  SEED_LANGUAGE,
  SEED_RECIPE_SEED,
  SEED_SETS,
  SEED_SETS_FLAG,
  seedShapedBundle,
} from './seed-bundle.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STARTUP_GOAL_SECONDS = 0.25;
const COMPOSE_GOAL_RATIO = 1.25;
const LOUDNESS_GOAL_RATIO = 1.1;

interface Flags {
  rounds: number;
  startupRounds: number;
  height: number;
  keep: boolean;
}

function readFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '5' },
      'startup-rounds': { type: 'string', default: '20' },
      height: { type: 'string', default: '1080' },
      keep: { type: 'boolean', default: false },
    },
  });
  return {
    rounds: wholeNumberFlag('rounds', values.rounds),
    startupRounds: wholeNumberFlag('startup-rounds', values['startup-rounds']),
    height: wholeNumberFlag('height', values.height),
    keep: values.keep,
  };
}

/** Runs a program to completion and resolves with its wall time; rejects on a non-zero exit. */
function timed(
  program: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(program, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`${program} ${args.join(' ')} exited with ${code}:\n${stderr}`));
    });
  });
}

/** `pnpm deploy --prod` of one program into `dir`, as the README's production section does. */
function deploy(pkg: string, dir: string): void {
  const result = spawnSync('pnpm', ['--filter', pkg, 'deploy', '--prod', dir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`pnpm deploy of ${pkg} failed:\n${result.stdout}${result.stderr}`);
}

function row(label: string, seconds: number, versus: string): string {
  return `${label.padEnd(44)} ${seconds.toFixed(3).padStart(8)} s   ${versus}`;
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
  const bundleDir = await seedShapedBundle(benchRoot, flags.height);
  const work = await mkdtemp(path.join(benchRoot, 'release-'));
  try {
    log('pnpm deploy --prod of both programs…');
    const agentDir = path.join(work, 'exercise-agent');
    const consumerDir = path.join(work, 'exercise-consumer');
    deploy('@exercise-pipeline/ingest-agent', agentDir);
    deploy('@exercise-pipeline/render-consumer', consumerDir);
    const agentBin = path.join(agentDir, 'bin/exercise-agent.js');
    const consumerBin = path.join(consumerDir, 'bin/exercise-consumer.js');
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn' };

    const startup = { node: [] as number[], agent: [] as number[], consumer: [] as number[] };
    for (let round = 0; round < flags.startupRounds; round += 1) {
      startup.node.push(await timed(process.execPath, ['-e', ''], work, env));
      startup.agent.push(await timed(process.execPath, [agentBin, '--help'], work, env));
      startup.consumer.push(await timed(process.execPath, [consumerBin, '--help'], work, env));
    }

    const source = new LocalBundleSource(bundleDir);
    const manifest = JSON.parse(await source.readManifest()) as { exercise: string };
    const concatListPath = path.join(work, 'bare.ffconcat');
    const copyOut = path.join(work, 'bare-copy.mp4');
    const composeOut = path.join(work, 'compose.mp4');
    // The CLI renders a --bundle at asset version 1, so this plan makes the same variant choices.
    const command = await planRenderCommand({
      source,
      recipeInput: {
        exercise: manifest.exercise,
        language: SEED_LANGUAGE,
        sets: SEED_SETS,
        seed: SEED_RECIPE_SEED,
      },
      assetVersion: 1,
      concatListPath,
      outPath: copyOut,
    });
    if (command.mode !== 'copy') throw new Error(`expected a stream-copy plan, got ${command.mode}`);
    await writeFile(concatListPath, command.concatList ?? '');
    const composeArgs = [consumerBin, 'compose', '--bundle', bundleDir, '--language', SEED_LANGUAGE];
    composeArgs.push('--sets', SEED_SETS_FLAG, '--seed', String(SEED_RECIPE_SEED), '--out', composeOut);
    const composeEnv = { ...env, DATA_DIR: path.join(work, 'data') };
    // Its own DATA_DIR, so its first run is as cold as the normalised one's.
    const offEnv = { ...env, DATA_DIR: path.join(work, 'data-off'), COMPOSE_LOUDNESS: 'off' };
    const runCompose = () => timed(process.execPath, composeArgs, work, composeEnv);
    const runComposeOff = () => timed(process.execPath, composeArgs, work, offEnv);
    const runCopy = () =>
      timed('ffmpeg', ['-hide_banner', '-nostdin', '-nostats', ...command.args], work, env);

    log(`plan: ${command.totalSeconds.toFixed(3)} s of output; warm-up (not counted)…`);
    const firstOff = await runComposeOff();
    const firstOn = await runCompose();
    await runCopy();
    const compose: number[] = [];
    const composeOff: number[] = [];
    const copy: number[] = [];
    for (let round = 1; round <= flags.rounds; round += 1) {
      compose.push(await runCompose());
      composeOff.push(await runComposeOff());
      copy.push(await runCopy());
      log(
        `round ${round}/${flags.rounds}: compose ${compose.at(-1)!.toFixed(3)} s, ` +
          `COMPOSE_LOUDNESS=off ${composeOff.at(-1)!.toFixed(3)} s, bare ffmpeg ${copy.at(-1)!.toFixed(3)} s`,
      );
    }

    const node = median(startup.node);
    const agentExtra = median(startup.agent) - node;
    const consumerExtra = median(startup.consumer) - node;
    const ratio = median(compose) / median(copy);
    const startupOk = agentExtra <= STARTUP_GOAL_SECONDS && consumerExtra <= STARTUP_GOAL_SECONDS;
    const composeOk = ratio <= COMPOSE_GOAL_RATIO;
    const loudnessRatio = median(compose) / median(composeOff);
    const loudnessOk = loudnessRatio <= LOUDNESS_GOAL_RATIO;
    const lines = [
      `Node ${process.version}; medians of ${flags.startupRounds} start-ups and ${flags.rounds} renders`,
      row('node -e ""', node, ''),
      row('exercise-agent --help (production folder)', median(startup.agent), `+${agentExtra.toFixed(3)} s`),
      row(
        'exercise-consumer --help (production folder)',
        median(startup.consumer),
        `+${consumerExtra.toFixed(3)} s`,
      ),
      `  goal: at most +${STARTUP_GOAL_SECONDS.toFixed(2)} s over bare node: ${startupOk ? 'met' : 'NOT met'}`,
      row(
        `bare ffmpeg stream copy (${flags.height}p, ${command.totalSeconds.toFixed(1)} s)`,
        median(copy),
        '',
      ),
      row('exercise-consumer compose (production folder)', median(compose), `${ratio.toFixed(2)}×`),
      `  goal: at most ${COMPOSE_GOAL_RATIO.toFixed(2)}× the bare command: ${composeOk ? 'met' : 'NOT met'}`,
      row('compose, COMPOSE_LOUDNESS=off', median(composeOff), ''),
      row('compose, loudness to -16 LUFS (default)', median(compose), `${loudnessRatio.toFixed(2)}×`),
      `  goal: at most ${LOUDNESS_GOAL_RATIO.toFixed(2)}× compose without normalisation: ${loudnessOk ? 'met' : 'NOT met'}`,
      row('first compose, empty DATA_DIR, off', firstOff, ''),
      row(
        'first compose, empty DATA_DIR, loudness',
        firstOn,
        `${(firstOn / firstOff).toFixed(2)}× (measures each voice-over once)`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (flags.keep) log(`kept ${work}`);
    return startupOk && composeOk && loudnessOk ? 0 : 1;
  } finally {
    if (!flags.keep) await rm(work, { recursive: true, force: true });
  }
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

process.exitCode = await main();
