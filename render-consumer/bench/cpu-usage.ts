/**
 * CPU accounting for the consumer benchmark, from Linux's /proc: how many cores were busy during a
 * measurement, and how much CPU moto_server (one Python process) took of it. Elsewhere (no /proc)
 * every reading is undefined and the bench prints no CPU line.
 */
import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc's counters (USER_HZ); 100 on every mainstream Linux build. */
const TICKS_PER_SECOND = 100;

export interface CpuSnapshot {
  /** Seconds of CPU time all cores spent busy (not idle, not waiting for I/O) since boot. */
  busySeconds: number;
  /** CPU seconds (user + system) of the watched process, if it is alive. */
  processSeconds: number | undefined;
  /** performance.now() of the reading. */
  at: number;
}

export interface CpuUsage {
  /** Average number of cores busy over the interval. */
  busyCores: number;
  /** CPU seconds the watched process used over the interval. */
  processSeconds: number | undefined;
}

export async function cpuSnapshot(pid?: number): Promise<CpuSnapshot | undefined> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  const total = stat?.split('\n')[0];
  if (!total?.startsWith('cpu ')) return undefined;
  // user nice system idle iowait irq softirq steal …
  const fields = total.trim().split(/\s+/).slice(1).map(Number);
  const busyTicks = fields.reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
  return {
    busySeconds: busyTicks / TICKS_PER_SECOND,
    processSeconds: await processSeconds(pid),
    at: performance.now(),
  };
}

export function cpuBetween(
  start: CpuSnapshot | undefined,
  end: CpuSnapshot | undefined,
): CpuUsage | undefined {
  if (!start || !end || end.at <= start.at) return undefined;
  const wallSeconds = (end.at - start.at) / 1000;
  return {
    busyCores: (end.busySeconds - start.busySeconds) / wallSeconds,
    processSeconds:
      start.processSeconds === undefined || end.processSeconds === undefined
        ? undefined
        : end.processSeconds - start.processSeconds,
  };
}

async function processSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  // The command name (field 2) may hold spaces; utime and stime are fields 14 and 15.
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(after[11]);
  const stime = Number(after[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : undefined;
}

/**
 * CPU seconds of this process's children that have exited and been waited for (their own waited-for
 * children included): the consumer processes with their ffmpeg and ffprobe runs, once stopped.
 */
export async function exitedChildrenSeconds(): Promise<number | undefined> {
  const stat = await readFile('/proc/self/stat', 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  // cutime and cstime are fields 16 and 17.
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cutime = Number(after[13]);
  const cstime = Number(after[14]);
  return Number.isFinite(cutime) && Number.isFinite(cstime)
    ? (cutime + cstime) / TICKS_PER_SECOND
    : undefined;
}

/**
 * CPU seconds (user + system) of a live process and of its children it has waited for: a consumer
 * with the ffmpeg runs it finished. Undefined once the process is gone (or without /proc).
 */
export async function processTreeSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  // utime, stime, cutime and cstime are fields 14 to 17.
  const ticks = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 15)
    .map(Number);
  return ticks.every(Number.isFinite)
    ? ticks.reduce((sum, value) => sum + value, 0) / TICKS_PER_SECOND
    : undefined;
}
