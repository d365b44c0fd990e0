/** The scale-out benchmark's log reading and summary: pure functions over what a run collected. */

/** What the consumers' log lines (LOG_LEVEL=debug) say about one run. */
export interface LogSummary {
  /** Renders each consumer started, in start order of the consumers. */
  rendersPerConsumer: number[];
  /** Messages re-sent with a delay (bundle still changing, or previews being rendered elsewhere). */
  deferred: number;
  /** Message handlings that found nothing to do (the exercise was current and published). */
  unchanged: number;
  /** Times a consumer waited on a render another consumer held, and for how long in all. */
  leaseWaits: number;
  leaseWaitSeconds: number;
  /** Mean seconds from a render's start to its upload's end (compose, probes and upload). */
  meanRenderSeconds: number;
}

export interface ScaleRun {
  consumers: number;
  /** From every bundle synced to every exercise's catalog preview ready. */
  drainSeconds: number;
  /** From the start of the syncs to their end (the consumers already at work meanwhile). */
  syncSeconds: number;
  /** User + system CPU of the consumer processes over the drain, their ffmpeg runs included. */
  consumerCpuSeconds: number;
  motoCpuSeconds: number | undefined;
  /** Cores of the whole host busy on average over the drain (other work included). */
  busyCores: number | undefined;
  readyRenders: number;
  /** Uploads the Bunny double completed: more than readyRenders means renders thrown away. */
  uploads: number;
  meanUploadBytes: number;
  logs: LogSummary;
  /** Departures from exactly one ready render per exercise, language and asset version. */
  violations: string[];
}

export interface ScaleSettings {
  exercises: number;
  languages: string[];
  uploadKiBps: number;
  latencyMs: number;
  quietSeconds: number;
  cores: number;
}

/** Goals: the largest drain-time ratio to one consumer, by number of consumers. */
export const SCALE_GOALS: Readonly<Record<number, number>> = { 4: 0.35, 8: 0.25 };

export function summariseLogs(outputs: readonly string[]): LogSummary {
  const summary: LogSummary = {
    rendersPerConsumer: [],
    deferred: 0,
    unchanged: 0,
    leaseWaits: 0,
    leaseWaitSeconds: 0,
    meanRenderSeconds: Number.NaN,
  };
  const renderSeconds: number[] = [];
  for (const output of outputs) {
    let renders = 0;
    const startedAt = new Map<unknown, number>();
    for (const line of output.split('\n')) {
      if (!line.startsWith('{')) continue;
      let record: { msg?: unknown; waitedMs?: unknown; renderId?: unknown; time?: unknown };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        continue;
      }
      const msg = String(record.msg ?? '');
      const at = Date.parse(String(record.time));
      if (msg === 'render started') {
        renders += 1;
        startedAt.set(record.renderId, at);
      } else if (msg === 'render uploaded; waiting for the transcode' || msg === 'render ready') {
        const start = startedAt.get(record.renderId);
        if (start !== undefined) renderSeconds.push((at - start) / 1000);
      } else if (msg.endsWith(': deferred')) summary.deferred += 1;
      else if (msg === 'exercise unchanged') summary.unchanged += 1;
      else if (msg === 'waited for a render another consumer held') {
        summary.leaseWaits += 1;
        summary.leaseWaitSeconds += Number(record.waitedMs ?? 0) / 1000;
      }
    }
    summary.rendersPerConsumer.push(renders);
  }
  if (renderSeconds.length > 0) {
    summary.meanRenderSeconds = renderSeconds.reduce((a, b) => a + b, 0) / renderSeconds.length;
  }
  return summary;
}

export function formatScaleReport(runs: readonly ScaleRun[], settings: ScaleSettings): string {
  const one = runs.find((run) => run.consumers === 1);
  const base = one?.drainSeconds ?? Number.NaN;
  const header = [
    'N',
    'drain',
    'ratio',
    'sync',
    'goal',
    'consumer CPU',
    'moto CPU',
    'host busy',
    'render',
    'ready/uploads',
    'renders per consumer',
    'deferred',
    'unchanged',
    'lease waits',
    'exactly one',
  ];
  const rows = runs.map((run) => {
    const ratio = run.drainSeconds / base;
    const goal = SCALE_GOALS[run.consumers];
    return [
      String(run.consumers),
      `${run.drainSeconds.toFixed(2)} s`,
      `${ratio.toFixed(2)}×`,
      `${run.syncSeconds.toFixed(1)} s`,
      goal === undefined ? '' : `≤ ${goal.toFixed(2)}× ${ratio <= goal ? 'met' : 'NOT MET'}`,
      `${run.consumerCpuSeconds.toFixed(1)} s`,
      run.motoCpuSeconds === undefined ? '?' : `${run.motoCpuSeconds.toFixed(1)} s`,
      run.busyCores === undefined ? '?' : `${run.busyCores.toFixed(2)} of ${settings.cores}`,
      `${run.logs.meanRenderSeconds.toFixed(1)} s`,
      `${run.readyRenders}/${run.uploads}`,
      run.logs.rendersPerConsumer.join(','),
      String(run.logs.deferred),
      String(run.logs.unchanged),
      `${run.logs.leaseWaits} (${run.logs.leaseWaitSeconds.toFixed(1)} s)`,
      run.violations.length === 0 ? 'yes' : `NO (${run.violations.length})`,
    ];
  });
  const table = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const lines = table.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));

  const renders = settings.exercises * settings.languages.length;
  const meanBytes = one?.meanUploadBytes ?? 0;
  const uploadSeconds = meanBytes / (settings.uploadKiBps * 1024);
  const notes = [
    '',
    `${settings.exercises} exercises × ${settings.languages.length} languages (${settings.languages.join(',')}) = ${renders} catalog previews, synced at once; CONSUMER_CONCURRENCY=1, SETTLE_SECONDS=${settings.quietSeconds}, ${settings.cores} CPU cores.`,
    `Bunny double: ${settings.uploadKiBps} KiB/s per upload connection, ${settings.latencyMs} ms per request; a render is ${(meanBytes / 1024).toFixed(0)} KiB, so its upload alone takes ${uploadSeconds.toFixed(1)} s.`,
    'drain: from every bundle synced until every exercise has a ready preview in every language and the catalog points at it; sync: the syncs themselves (10 agents at once; the consumers already handle their events).',
    `Floor: ${renders} uploads of ${uploadSeconds.toFixed(1)} s over N connections take at least ⌈${renders}/N⌉ × ${uploadSeconds.toFixed(1)} s.`,
    `render: mean seconds from a render's start to its upload's end; of it, ${uploadSeconds.toFixed(1)} s is the upload itself and the rest compose, probes and waiting for a CPU.`,
    'CPU: consumer CPU is user+system of the consumer processes with their ffmpeg runs over the drain; divided by the drain it is the cores they kept busy:',
    ...runs.map((run) => {
      const consumerCores = run.consumerCpuSeconds / run.drainSeconds;
      const motoCores = (run.motoCpuSeconds ?? 0) / run.drainSeconds;
      const bound =
        consumerCores + motoCores >= 0.8 * settings.cores
          ? '  ← CPU-bound: the consumers and moto use the host'
          : (run.busyCores ?? 0) >= 0.95 * settings.cores
            ? '  ← the host was saturated (other work included): renders waited for a CPU'
            : '';
      return `  N=${run.consumers}: consumers ${consumerCores.toFixed(2)} cores, moto ${motoCores.toFixed(2)} cores${bound}`;
    }),
  ];
  const broken = runs.filter((run) => run.violations.length > 0);
  if (broken.length > 0) {
    notes.push(
      '',
      '!!! VIOLATION: not exactly one ready render per exercise, language and asset version !!!',
    );
    for (const run of broken) {
      for (const violation of run.violations) notes.push(`!!! N=${run.consumers}: ${violation}`);
    }
  }
  return [...lines, ...notes].join('\n');
}
