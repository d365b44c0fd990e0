/** Pure arithmetic and wording of the compose benchmark's summary. */

import { median } from '@exercise-pipeline/shared/bench';

export interface BenchTargets {
  /** compose CLI time / bare stream-copy ffmpeg time must stay at or below this. */
  maxComposeOverCopy: number;
  /** full re-encode time / compose CLI time must reach at least this. */
  minReencodeOverCompose: number;
}

export const TARGETS: BenchTargets = { maxComposeOverCopy: 1.5, minReencodeOverCompose: 20 };

export interface BenchSamples {
  /** Wall-clock seconds of `pnpm consumer compose …`, start-up included. */
  compose: number[];
  /** Wall-clock seconds of the same plan's ffmpeg command run directly. */
  copy: number[];
  /** Wall-clock seconds of the concat-filter libx264 veryfast re-encode. */
  reencode: number[];
  /** The composer's own time (its `composed` log line), without process start-up. */
  composeInProcess: number[];
}

export interface BenchVerdict {
  composeOverCopy: number;
  reencodeOverCompose: number;
  copyOk: boolean;
  reencodeOk: boolean;
}

export function verdict(samples: BenchSamples, targets: BenchTargets = TARGETS): BenchVerdict {
  const compose = median(samples.compose);
  const composeOverCopy = compose / median(samples.copy);
  const reencodeOverCompose = median(samples.reencode) / compose;
  return {
    composeOverCopy,
    reencodeOverCompose,
    copyOk: composeOverCopy <= targets.maxComposeOverCopy,
    reencodeOk: reencodeOverCompose >= targets.minReencodeOverCompose,
  };
}

export function formatReport(
  samples: BenchSamples,
  outputSeconds: number,
  targets: BenchTargets = TARGETS,
): string {
  const line = (label: string, values: readonly number[]) =>
    `  ${label.padEnd(34)} median ${seconds(median(values))}  runs [${values.map(seconds).join(', ')}]`;
  const result = verdict(samples, targets);
  const mark = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const reencodeNote =
    samples.reencode.length < samples.compose.length
      ? ` (${samples.reencode.length} run${samples.reencode.length === 1 ? '' : 's'} of the re-encode: it is the slow one)`
      : '';
  return [
    `output: ${outputSeconds.toFixed(3)} s of 1080p H.264`,
    line('pnpm consumer compose (CLI)', samples.compose),
    line('  of which inside the composer', samples.composeInProcess),
    line(
      '  of which start-up and exit',
      samples.compose.map((wall, i) => wall - (samples.composeInProcess[i] ?? 0)),
    ),
    line('bare ffmpeg stream copy + AAC', samples.copy),
    line('full re-encode (libx264 veryfast)', samples.reencode) + reencodeNote,
    `  compose / bare copy      = ${result.composeOverCopy.toFixed(2)}x  (target <= ${targets.maxComposeOverCopy}x)  ${mark(result.copyOk)}`,
    `  re-encode / compose      = ${result.reencodeOverCompose.toFixed(1)}x  (target >= ${targets.minReencodeOverCompose}x)  ${mark(result.reencodeOk)}`,
    `overall: ${mark(result.copyOk && result.reencodeOk)}`,
  ].join('\n');
}

function seconds(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(3)} s` : 'n/a';
}
