/**
 * Keyframe-first picture check, the ffmpeg side: the keyframe pass (only keyframes decoded, each
 * printed with its time, whether blackdetect counts it black and scdet's difference to the keyframe
 * before) and the region pass (the stretches planPictureCheck chose, each an input of one run seeked
 * to its keyframe, decoded at full rate through the whole decode's filters), with their parsers.
 */
import type { QcConfig } from '../rules/agent-config.js';
import { emptyMeasurements, type QcMeasurements } from './findings.js';
import type { Keyframe, PictureRegion } from './keyframe-plan.js';
import {
  type AnalysisParser,
  blackdetectFilter,
  LeveledLines,
  NUMBER,
  PICTURE_SCALE,
  parseNumber,
  QcLogParser,
  qcFilter,
  qcInputArgs,
} from './qc-graph.js';

/**
 * Decoder options of the keyframe pass: keyframes only (`-skip_frame nokey`), with the whole
 * decode's shortcuts, so each keyframe's picture is the one the whole decode sees. One decoding
 * thread: frame threads only add hand-offs when every frame stands alone (about a tenth less CPU).
 */
export function keyframeInputArgs(): string[] {
  return ['-threads', '1', '-skip_frame', 'nokey', '-skip_loop_filter', 'all', '-flags2', 'fast'];
}

/** Output arguments of the keyframe pass: each keyframe printed with its analysis metadata. */
export function keyframeOutputArgs(config: QcConfig): string[] {
  // blackdetect with d=0 marks where a run of black keyframes starts and ends; scdet (threshold 100:
  // never a scene change line) the difference to the keyframe before, freezedetect's own measure.
  const chain = [
    PICTURE_SCALE,
    blackdetectFilter(config, 0),
    'scdet=threshold=100',
    'metadata=mode=print',
  ].join(',');
  return ['-map', '0:v:0', '-vf', chain, '-f', 'null', '-'];
}

const FRAME = /\bframe:\d+\s+pts:(-?\d+|NOPTS)\s+pts_time:(\S+)/;
const BLACK_STARTS = /\blavfi\.black_start=/;
const BLACK_ENDS = /\blavfi\.black_end=/;
const CHANGE = new RegExp(String.raw`\blavfi\.scd\.mafd=${NUMBER}`);

/** `1/12800` as a number of seconds, undefined when it is not a fraction. */
function timeBaseSeconds(text: string | undefined): number | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (match === null || Number(match[2]) === 0) return undefined;
  return Number(match[1]) / Number(match[2]);
}

/**
 * Reads the keyframe pass: `metadata=mode=print` prints each frame's `frame:N pts:P pts_time:T`
 * line, then its metadata (`lavfi.black_start=…` on the first of a black run, `lavfi.black_end=…` on
 * the first after it, `lavfi.scd.mafd=…`). Times come from the integer pts and the stream's time base
 * (exact), else from pts_time.
 */
export class KeyframeLogParser implements AnalysisParser {
  readonly keyframes: Keyframe[] = [];
  readonly #lines = new LeveledLines((text) => this.#info(text));
  readonly #timeBase: number | undefined;
  #black = false;

  constructor(timeBase?: string) {
    this.#timeBase = timeBaseSeconds(timeBase);
  }

  get problems(): string[] {
    return this.#lines.problems;
  }

  line(raw: string): void {
    this.#lines.line(raw);
  }

  #info(text: string): void {
    const frame = FRAME.exec(text);
    const last = this.keyframes.at(-1);
    if (frame !== null) {
      const time =
        this.#timeBase !== undefined && frame[1] !== 'NOPTS'
          ? Number(frame[1]) * this.#timeBase
          : parseNumber(frame[2]!);
      this.keyframes.push({ time, black: this.#black });
    } else if (last !== undefined && BLACK_STARTS.test(text)) {
      this.#black = last.black = true;
    } else if (last !== undefined && BLACK_ENDS.test(text)) {
      this.#black = last.black = false;
    } else if (last !== undefined && this.keyframes.length > 1) {
      const change = CHANGE.exec(text);
      if (change !== null) last.change = parseNumber(change[1]!);
    }
  }
}

/** Seconds as ffmpeg options take them: plain decimal, microseconds at most. */
function seconds(value: number): string {
  return (Math.round(value * 1e6) / 1e6).toFixed(6).replace(/\.?0+$/, '');
}

/**
 * The region pass: one run, each region an input of the same file seeked to its first keyframe and
 * decoded at full rate through the whole decode's filters (qcFilter), its own null output.
 * `-copyts -start_at_zero` keep the whole decode's timestamps, so the filters print file times;
 * `-noaccurate_seek` plus a `trim` a quarter of a frame around the region's keyframes make its first
 * and last frames exactly those keyframes. `inputArgs` pins the container (pinnedInputFor).
 */
export function regionPassArgs(
  path: string,
  inputArgs: readonly string[],
  regions: readonly PictureRegion[],
  config: QcConfig,
  frameSeconds: number,
): string[] {
  const margin = frameSeconds / 4;
  const inputs = regions.flatMap((region) => [
    ...qcInputArgs('video'),
    '-copyts',
    '-start_at_zero',
    '-noaccurate_seek',
    ...(region.from === undefined ? [] : ['-ss', seconds(region.from + margin)]),
    ...inputArgs,
    '-i',
    path,
  ]);
  const graph = regions
    .map((region, index) => {
      const bounds = [
        ...(region.from === undefined ? [] : [`start=${seconds(region.from - margin)}`]),
        ...(region.until === undefined ? [] : [`end=${seconds(region.until + margin)}`]),
      ];
      const trim = bounds.length === 0 ? 'null' : `trim=${bounds.join(':')}`;
      return `[${index}:v:0]${trim},${qcFilter('video', config)}[region${index}]`;
    })
    .join(';');
  const outputs = regions.flatMap((_, index) => ['-map', `[region${index}]`, '-f', 'null', '-']);
  return [...inputs, '-filter_complex', graph, ...outputs];
}

/**
 * Reads the region pass: the filters of each region print in turn, told apart by their address
 * (`[freezedetect @ 0x…]`), so each filter instance has its parser. `finish` closes a frozen
 * stretch still open at the end of its region and returns every stretch in time order.
 */
export class RegionLogParser implements AnalysisParser {
  readonly #byFilter = new Map<string, QcLogParser>();
  readonly #lines = new LeveledLines((text, source) => this.#info(text, source));

  get problems(): string[] {
    return this.#lines.problems;
  }

  line(raw: string): void {
    this.#lines.line(raw);
  }

  #info(text: string, source: string | undefined): void {
    const key = source ?? '';
    let parser = this.#byFilter.get(key);
    if (parser === undefined) {
      parser = new QcLogParser(this.problems);
      this.#byFilter.set(key, parser);
    }
    parser.line(text);
  }

  finish(regions: readonly PictureRegion[], durationSeconds: number): QcMeasurements {
    const measurements = emptyMeasurements();
    for (const parser of this.#byFilter.values()) {
      const open = parser.openFreezeStart;
      const region = regions.find(
        (r) => open !== undefined && (r.from ?? 0) <= open && open <= (r.until ?? durationSeconds),
      );
      const found = parser.finish(region?.until ?? durationSeconds);
      measurements.black.push(...found.black);
      measurements.freeze.push(...found.freeze);
    }
    measurements.black.sort((a, b) => a.start - b.start);
    measurements.freeze.sort((a, b) => a.start - b.start);
    return measurements;
  }
}
