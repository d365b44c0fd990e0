/** The consumer benchmark's summary: the targets table and the notes under it, as printed text. */
import type { Drain } from './consumer-bench-drain.js';
import type { Latency, SeedBundle } from './consumer-bench-latency.js';
import { QUIET_SECONDS } from './consumer-bench-stage.js';
import { MOVING_SOURCE_NOTE } from './moving-media.js';

export interface ConsumerBenchResults {
  seed: SeedBundle;
  latency: Latency;
  /** The drain with one consumer process, and with `processes`. */
  one: Drain;
  many: Drain;
  exercises: number;
  processes: number;
  languages: string[];
  /** CPU cores of the host. */
  cores: number;
}

export function formatConsumerReport(results: ConsumerBenchResults): string {
  const { seed, latency, one, many, exercises, processes, languages, cores } = results;
  const renderSeconds = latency.render.coldSeconds;
  const latencyTarget = renderSeconds + QUIET_SECONDS;
  const ratio = many.seconds / one.seconds;
  const rows = [
    ['measure', 'measured', 'target', 'met'],
    ['render time, S3 through a cold download cache', `${renderSeconds.toFixed(2)} s`, '', ''],
    ['render time, warm cache (best of 2, reference)', `${latency.render.warmSeconds.toFixed(2)} s`, '', ''],
    [
      `"Bundle Synced" → ready preview${seed.languages.length > 1 ? ' (first)' : ''}`,
      `${latency.firstSeconds.toFixed(2)} s`,
      `≤ ${latencyTarget.toFixed(2)} s`,
      latency.firstSeconds <= latencyTarget ? 'yes' : 'NO',
    ],
    [
      `"Bundle Synced" → ${seed.languages.length} preview(s), catalog updated`,
      `${latency.allSeconds.toFixed(2)} s`,
      `≤ ${(seed.languages.length * renderSeconds + QUIET_SECONDS).toFixed(2)} s`,
      latency.allSeconds <= seed.languages.length * renderSeconds + QUIET_SECONDS ? 'yes' : 'NO',
    ],
    [
      `1 process drains ${one.events} events / ${exercises} exercises (quiet backlog)`,
      `${one.seconds.toFixed(2)} s`,
      '',
      '',
    ],
    [
      `${processes} processes drain the same`,
      `${many.seconds.toFixed(2)} s`,
      `≤ ${(one.seconds * 0.5).toFixed(2)} s`,
      ratio <= 0.5 ? 'yes' : 'NO',
    ],
    [`ratio ${processes} : 1`, `${ratio.toFixed(2)}×`, '≤ 0.50×', ratio <= 0.5 ? 'yes' : 'NO'],
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const table = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
  const cpuLine = (label: string, drain: Drain) =>
    [
      `  ${label}: `,
      drain.consumerCpuSeconds === undefined
        ? ''
        : `consumers ${drain.consumerCpuSeconds.toFixed(1)} CPU s (start-up to exit, ffmpeg/ffprobe included)`,
      drain.cpu?.processSeconds === undefined
        ? ''
        : `, moto_server ${drain.cpu.processSeconds.toFixed(1)} CPU s`,
      drain.cpu
        ? `; whole host ${drain.cpu.busyCores.toFixed(2)} of ${cores} cores busy (other work included)`
        : '',
    ].join('');
  const work = (one.consumerCpuSeconds ?? Number.NaN) + (one.cpu?.processSeconds ?? 0);
  const notes = [
    '',
    `Latency bundle: ${seed.outputSeconds.toFixed(1)} s of output per preview, ${seed.languages.join(',')}; ${MOVING_SOURCE_NOTE}.`,
    `Drain bundles: the small fixture bundles (320x180), not 1080p (see the header comment).`,
    `(${languages.length} languages, ${one.renders} renders per drain run, ${cores} CPU cores, quiet period ${QUIET_SECONDS} s)`,
    'Drains start from a quiet backlog: the change events were produced by real puts, held until the',
    'quiet period had passed, and put back on the queue once every consumer was up; the clock runs from',
    'then until the queue is empty and every preview is ready and in the catalog.',
    `Consumer start-up (not timed in the drain): 1 process ${one.startSeconds.toFixed(2)} s, ${processes} processes ${many.startSeconds.toFixed(2)} s.`,
    'CPU during the drains:',
    cpuLine('1 process', one),
    cpuLine(`${processes} processes`, many),
    Number.isFinite(work)
      ? `Bound on this host: the 1-process drain's work is ${work.toFixed(1)} CPU s (consumer + moto); on ${cores} cores no number of processes can drain it in less than ${(work / cores).toFixed(2)} s = ${(work / cores / one.seconds).toFixed(2)}× the 1-process time (target 0.50×).`
      : '',
  ];
  return [...table, notes.join('\n')].join('\n');
}
