/**
 * Watch benchmark: resident memory and idle CPU of the watcher on a 10,000-file drop dir, per
 * watching mode, against the targets (RSS < 150 MB, idle CPU < 2 % when polling every 5 s).
 *
 *   npx tsx ingest-agent/bench/watch-bench.ts [--files 10000] [--folders 100] [--seconds 30]
 *                                             [--interval 5] [--modes scan-poll,chokidar-poll,native,chokidar-native]
 *
 * The watcher runs in a child process (`node --import tsx`, as the agent runs in production), so
 * its numbers are its own. The settle time is an hour, so nothing is checked or ingested: this
 * measures watching. After the child reports ready, the bench waits until it is idle (a 1 s window
 * under 5 % CPU), then reads utime+stime from /proc/<pid>/stat over the measuring window, and RSS
 * from /proc/<pid>/status every second (the peak is reported).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeliveryWatcher } from '../src/watch/delivery-watcher.js';

const TARGET_RSS_MB = 150;
const TARGET_CPU_PERCENT = 2;
const MODES = ['scan-poll', 'chokidar-poll', 'native', 'chokidar-native'] as const;
type Mode = (typeof MODES)[number];

function argValue(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} expects a positive number`);
  return value;
}

function argModes(): Mode[] {
  const index = process.argv.indexOf('--modes');
  if (index < 0) return [...MODES];
  const modes = (process.argv[index + 1] ?? '').split(',');
  for (const mode of modes) {
    if (!(MODES as readonly string[]).includes(mode))
      throw new Error(`--modes expects a list of ${MODES.join(', ')}`);
  }
  return modes as Mode[];
}

/** Child side: watch `dropDir` in `mode` until SIGTERM. */
async function runChild(dropDir: string, mode: Mode, intervalSeconds: number): Promise<void> {
  const watcher = new DeliveryWatcher({
    dropDir,
    settleSeconds: 3600,
    poll: mode.endsWith('-poll'),
    engine: mode.startsWith('chokidar') ? 'chokidar' : 'builtin',
    pollIntervalSeconds: intervalSeconds,
    ingest: async () => ({ status: 'done' }),
  });
  watcher.on('watcher:error', ({ error }) => process.stderr.write(`watcher error: ${error.message}\n`));
  await watcher.start();
  process.stdout.write(`READY ${watcher.deliveries().length}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await watcher.stop();
}

async function createTree(root: string, files: number, folders: number): Promise<void> {
  const perFolder = Math.ceil(files / folders);
  let written = 0;
  for (let f = 1; f <= folders && written < files; f += 1) {
    const folder = join(root, `${String(f).padStart(3, '0')} Exercise ${f}`);
    await mkdir(join(folder, 'audio'), { recursive: true });
    const names: string[] = [];
    for (let i = 1; i <= perFolder && written + names.length < files; i += 1) {
      names.push(i % 4 === 0 ? `audio/take ${i} Stanga.mp3` : `take ${i} - Intro.mp4`);
    }
    await Promise.all(names.map((name) => writeFile(join(folder, name), `bench ${name}\n`)));
    written += names.length;
  }
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function cpuSeconds(pid: number): number {
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForReady(child: ChildProcess): Promise<number> {
  let output = '';
  for await (const chunk of child.stdout ?? []) {
    output += String(chunk);
    const match = /READY (\d+)/.exec(output);
    if (match) return Number(match[1]);
  }
  throw new Error(`the watcher exited before it was ready (exit code ${child.exitCode})`);
}

interface Measurement {
  mode: Mode;
  deliveries: number;
  startupSeconds: number;
  rssMb: number;
  cpuPercent: number;
}

async function measure(
  mode: Mode,
  dropDir: string,
  intervalSeconds: number,
  seconds: number,
): Promise<Measurement> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', self, '--child', dropDir, mode, String(intervalSeconds)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the watcher process');
  try {
    const started = performance.now();
    const deliveries = await waitForReady(child);
    const startupSeconds = (performance.now() - started) / 1000;
    for (let waited = 0; waited < 30; waited += 1) {
      const before = cpuSeconds(pid);
      await sleep(1000);
      if ((cpuSeconds(pid) - before) * 100 < 5) break;
    }
    let peakRss = rssMb(pid);
    const cpuBefore = cpuSeconds(pid);
    const windowStart = performance.now();
    for (let s = 0; s < seconds; s += 1) {
      await sleep(1000);
      peakRss = Math.max(peakRss, rssMb(pid));
    }
    const cpu = cpuSeconds(pid) - cpuBefore;
    const elapsed = (performance.now() - windowStart) / 1000;
    return { mode, deliveries, startupSeconds, rssMb: peakRss, cpuPercent: (cpu / elapsed) * 100 };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    const [, , , dropDir = '', mode = 'scan-poll', interval = '5'] = process.argv;
    await runChild(dropDir, mode as Mode, Number(interval));
    return;
  }
  const files = argValue('--files', 10_000);
  const folders = argValue('--folders', 100);
  const seconds = argValue('--seconds', 30);
  const interval = argValue('--interval', 5);
  const root = await mkdtemp(join(tmpdir(), 'watch-bench-'));
  try {
    await createTree(root, files, folders);
    console.log(
      `${files} files in ${folders} folders; poll interval ${interval} s; measuring ${seconds} s per mode`,
    );
    console.log('mode           deliveries  startup  peak RSS   (target)  idle CPU  (target)');
    for (const mode of argModes()) {
      const m = await measure(mode, root, interval, seconds);
      const rssRatio = m.rssMb / TARGET_RSS_MB;
      const cpuRatio = m.cpuPercent / TARGET_CPU_PERCENT;
      console.log(
        `${m.mode.padEnd(14)} ${String(m.deliveries).padStart(10)}  ${m.startupSeconds.toFixed(1).padStart(5)} s` +
          `  ${m.rssMb.toFixed(1).padStart(6)} MB  (${rssRatio.toFixed(2)}×)` +
          `  ${m.cpuPercent.toFixed(2).padStart(6)} %  (${cpuRatio.toFixed(2)}×)` +
          `  ${rssRatio < 1 && cpuRatio < 1 ? 'within targets' : 'OVER TARGET'}`,
      );
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
