/**
 * The ffmpeg side of the picture and sound check: one `-f null` output per file that decodes its
 * picture or its sound once through every analysis filter of its kind, and a parser of what those
 * filters print. The output is added to the agent's packet read of the same file (readAllPackets),
 * so a file is read once, and decoded once, for both.
 */
import type { QcConfig } from '../rules/agent-config.js';
import { emptyMeasurements, type QcMeasurements } from './findings.js';

/**
 * Pictures are analysed at most this tall: black and frozen stretches show at any size, and the
 * filters then cost the same for 4K as for 360p (the decoder still sees every frame).
 */
export const QC_ANALYSIS_HEIGHT = 360;

export type QcStream = 'video' | 'audio';

function decimal(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** The scale-down every analysed picture goes through first. */
export const PICTURE_SCALE = `scale=w=-2:h='min(${QC_ANALYSIS_HEIGHT},ih)':flags=fast_bilinear`;

/** blackdetect with the config's pixel threshold, reporting black stretches of `minSeconds` on. */
export function blackdetectFilter(config: QcConfig, minSeconds: number): string {
  return `blackdetect=d=${decimal(minSeconds)}:pix_th=${decimal(config.blackPixelThreshold)}`;
}

/** The filter chain for one stream kind, thresholds from the config. */
export function qcFilter(stream: QcStream, config: QcConfig): string {
  if (stream === 'video') {
    return [
      PICTURE_SCALE,
      blackdetectFilter(config, config.blackMinSeconds),
      `freezedetect=n=${decimal(config.freezeNoiseDb)}dB:d=${decimal(config.freezeMinSeconds)}`,
    ].join(',');
  }
  return [
    `silencedetect=n=${decimal(config.silenceNoiseDb)}dB:d=${decimal(config.silenceMinSeconds)}`,
    'ebur128=peak=true:framelog=verbose',
    // The peak of every audio frame (about 26 ms); only frames at full scale are printed.
    'astats=metadata=1:reset=1:measure_perchannel=none',
    `ametadata=mode=select:key=lavfi.astats.Overall.Peak_level:value=${decimal(config.clippingPeakDbfs)}:function=greater`,
    'ametadata=mode=print:key=lavfi.astats.Overall.Peak_level',
  ].join(',');
}

/** Whether the check decodes pictures at all: only black and frozen stretches need it. */
export function picturesChecked(config: QcConfig): boolean {
  return config.enabled && (config.black !== 'off' || config.freeze !== 'off');
}

export { picturesRefuse } from './findings.js';

/**
 * Decoder options (before `-i`) for the check: a video is decoded without the frames no other frame
 * refers to (`-skip_frame noref`: most B-frames, as encoders write them by default;
 * footage without B-frames loses none), without the deblocking filter and with H.264's fast-decode
 * shortcuts. The frames left are still decoded, so a black or frozen stretch stays black or
 * frozen; its ends move by at most the skipped frames (one, 0.04 s, in the 25 fps seed-shaped
 * footage; at most three with x264's defaults). Skipping the frames saves about a fifth, the
 * shortcuts another fifth. The packet copy beside it does not decode, so it is unaffected.
 */
export function qcInputArgs(stream: QcStream): string[] {
  return stream === 'video' ? ['-skip_frame', 'noref', '-skip_loop_filter', 'all', '-flags2', 'fast'] : [];
}

/** Output arguments (after the input) that analyse the file's first stream of this kind. */
export function qcOutputArgs(stream: QcStream, config: QcConfig): string[] {
  const map = stream === 'video' ? '0:v:0' : '0:a:0';
  const filter = stream === 'video' ? '-vf' : '-af';
  return ['-map', map, filter, qcFilter(stream, config), '-f', 'null', '-'];
}

/** ffmpeg's `-loglevel level+info` tag: `[blackdetect @ 0x…] [info] black_start:0 …`. */
const LEVEL_TAG =
  /^(?:\[[^\]]*@ (0x[0-9a-f]+)\] )?\[(trace|debug|verbose|info|warning|error|fatal|panic)\] ?/;

export const NUMBER = String.raw`(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|-?inf)`;
const BLACK = new RegExp(`black_start:${NUMBER} black_end:${NUMBER}`);
const FREEZE_START = new RegExp(String.raw`freezedetect\.freeze_start: ${NUMBER}`);
const FREEZE_END = new RegExp(String.raw`freezedetect\.freeze_end: ${NUMBER}`);
const SILENCE_START = new RegExp(`silence_start: ${NUMBER}`);
const SILENCE_END = new RegExp(`silence_end: ${NUMBER}`);
const INTEGRATED = new RegExp(String.raw`^\s*I:\s+${NUMBER} LUFS`);
const TRUE_PEAK = new RegExp(String.raw`^\s*Peak:\s+${NUMBER} dBFS`);
const FRAME_TIME = new RegExp(`pts_time:${NUMBER}`);
const PEAK_LEVEL = /lavfi\.astats\.Overall\.Peak_level=/;

export function parseNumber(text: string): number {
  if (text === 'inf') return Number.POSITIVE_INFINITY;
  if (text === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** What reads an analysis run's stderr: each line as it comes, and the warnings kept apart. */
export interface AnalysisParser {
  line(raw: string): void;
  /** The last warning/error lines, without their tags, as `-v warning` would have printed them. */
  readonly problems: string[];
}

/**
 * Reads `-loglevel level+info` stderr line by line. Lines at warning level and above are kept apart
 * in `problems` (they explain a failure); info lines go to `onInfo` with the address of the filter
 * that printed them. A message of several lines (ebur128's summary) carries its tag on the first
 * line only.
 */
export class LeveledLines implements AnalysisParser {
  readonly problems: string[];
  readonly #onInfo: (text: string, source: string | undefined) => void;
  #level = 'info';

  constructor(onInfo: (text: string, source: string | undefined) => void, problems: string[] = []) {
    this.#onInfo = onInfo;
    this.problems = problems;
  }

  line(raw: string): void {
    const tag = LEVEL_TAG.exec(raw);
    if (tag !== null) this.#level = tag[2]!;
    if (this.#level !== 'info') {
      if (['warning', 'error', 'fatal', 'panic'].includes(this.#level)) {
        this.problems.push(tag === null ? raw : raw.slice(tag[0].length));
        if (this.problems.length > 20) this.problems.shift();
      }
      return;
    }
    this.#onInfo(raw, tag?.[1]);
  }
}

/**
 * Reads what the analysis filters of one decode print (see LeveledLines) into measurements.
 */
export class QcLogParser implements AnalysisParser {
  readonly measurements: QcMeasurements = emptyMeasurements();
  readonly #lines: LeveledLines;
  #freezeStart: number | undefined;
  #silenceStart: number | undefined;
  #frameTime = 0;
  #summary: { integrated?: number; peak?: number } = {};

  /** `problems`: where warnings go, shared with other parsers of the same run. */
  constructor(problems: string[] = []) {
    this.#lines = new LeveledLines((text) => this.#info(text), problems);
  }

  get problems(): string[] {
    return this.#lines.problems;
  }

  line(raw: string): void {
    this.#lines.line(raw);
  }

  /** Each analysis line the filters print, and what it does to the measurements. */
  readonly #readers: [RegExp, (match: RegExpExecArray) => void][] = [
    [
      BLACK,
      (match) => this.measurements.black.push({ start: parseNumber(match[1]!), end: parseNumber(match[2]!) }),
    ],
    [FREEZE_START, (match) => (this.#freezeStart = parseNumber(match[1]!))],
    [
      FREEZE_END,
      (match) => {
        if (this.#freezeStart !== undefined)
          this.measurements.freeze.push({ start: this.#freezeStart, end: parseNumber(match[1]!) });
        this.#freezeStart = undefined;
      },
    ],
    [SILENCE_START, (match) => (this.#silenceStart = parseNumber(match[1]!))],
    [
      SILENCE_END,
      (match) => {
        if (this.#silenceStart !== undefined)
          this.measurements.silence.push({ start: this.#silenceStart, end: parseNumber(match[1]!) });
        this.#silenceStart = undefined;
      },
    ],
    [FRAME_TIME, (match) => (this.#frameTime = parseNumber(match[1]!))],
    [
      PEAK_LEVEL,
      () => {
        this.measurements.clippedPlaces += 1;
        this.measurements.firstClippedSeconds ??= this.#frameTime;
      },
    ],
    [INTEGRATED, (match) => (this.#summary = { integrated: parseNumber(match[1]!) })],
    [
      TRUE_PEAK,
      (match) => {
        // ffmpeg may print a summary for a graph it configured and dropped; the last one counts.
        if (this.#summary.integrated === undefined) return;
        this.measurements.integratedLufs = this.#summary.integrated;
        this.measurements.truePeakDbtp = parseNumber(match[1]!);
      },
    ],
  ];

  #info(text: string): void {
    for (const [pattern, read] of this.#readers) {
      const match = pattern.exec(text);
      if (match === null) continue;
      read(match);
      return;
    }
  }

  /** Where a frozen stretch still open began (freezedetect reports no end for it yet). */
  get openFreezeStart(): number | undefined {
    return this.#freezeStart;
  }

  /**
   * Closes stretches still open when the file ended (freezedetect and silencedetect report no end
   * then) at `durationSeconds`, and returns the measurements.
   */
  finish(durationSeconds: number): QcMeasurements {
    const m = this.measurements;
    if (this.#freezeStart !== undefined) m.freeze.push({ start: this.#freezeStart, end: durationSeconds });
    if (this.#silenceStart !== undefined) m.silence.push({ start: this.#silenceStart, end: durationSeconds });
    this.#freezeStart = undefined;
    this.#silenceStart = undefined;
    return m;
  }
}
