import { LOUDNESS_METADATA, type MediaContainer, pinnedInputArgs } from '@exercise-pipeline/shared';
import { fileUrl, INPUT_PROTOCOLS } from './ffmpeg-args.js';
import type { MediaRunner } from './media-runner.js';

/**
 * Loudness of one voice-over, as ITU-R BS.1770 (ffmpeg's ebur128 filter) measures it. Both values
 * are floored at SILENCE_LUFS (ebur128 says `-70 LUFS` and `-inf dBFS` for silence), so a
 * measurement is plain JSON for the probe store.
 */
export interface Loudness {
  /** Integrated loudness in LUFS. */
  integratedLufs: number;
  /** True peak (4× oversampled) in dBTP. */
  truePeakDbtp: number;
}

/**
 * Ends the probe-cache keys of facts that include the loudness (see probeCacheKey), so an entry
 * without it is never taken for one with it.
 */
export const LOUDNESS_KEY_SUFFIX = ' +loudness';

/** What a render brings every voice-over to. */
export interface LoudnessTarget {
  /** Integrated loudness of each clip, so of the whole output: COMPOSE_LOUDNESS_TARGET_LUFS, default -16. */
  integratedLufs: number;
  /** No clip's true peak is raised above this; default -1 dBTP. */
  truePeakDbtp: number;
}

export const DEFAULT_LOUDNESS_TARGET: LoudnessTarget = { integratedLufs: -16, truePeakDbtp: -1 };

/** ebur128's floor: its absolute gate. A clip at or below it is silence and keeps its level. */
export const SILENCE_LUFS = -70;

/** The range a metadata value must fall in to be believed; anything else is measured instead. */
const METADATA_RANGE = { min: SILENCE_LUFS, max: 5 } as const;
const DECIMAL = /^[+-]?\d{1,3}(?:\.\d{1,6})?$/;

/**
 * The gain in dB that brings a clip to the target's integrated loudness, lowered so the clip's true
 * peak stays at or under the target's ceiling (such a clip ends up quieter than the target). A
 * clip too quiet to measure gets none: there is nothing to bring up but noise.
 */
export function loudnessGainDb(measured: Loudness, target: LoudnessTarget): number {
  if (!Number.isFinite(measured.integratedLufs) || measured.integratedLufs <= SILENCE_LUFS) return 0;
  const toTarget = target.integratedLufs - measured.integratedLufs;
  const peakRoom = Number.isFinite(measured.truePeakDbtp)
    ? target.truePeakDbtp - measured.truePeakDbtp
    : toTarget;
  // Hundredths of a dB are far below audibility and keep the ffmpeg arguments short and stable.
  const gain = Math.round(Math.min(toTarget, peakRoom) * 100) / 100;
  return Object.is(gain, -0) ? 0 : gain;
}

export type MetadataLoudness =
  | { kind: 'absent' }
  | { kind: 'valid'; loudness: Loudness }
  | { kind: 'invalid'; problem: string };

/**
 * The loudness a voice-over object's user metadata states. The bucket is also written by hand, so
 * the values are untrusted: each must be a plain decimal within -70..+5; half a pair, a
 * non-number or an out-of-range value is `invalid` (the caller measures the file instead).
 */
export function loudnessFromMetadata(
  metadata: Readonly<Record<string, string>> | undefined,
): MetadataLoudness {
  const integrated = metadata?.[LOUDNESS_METADATA.integrated];
  const truePeak = metadata?.[LOUDNESS_METADATA.truePeak];
  if (integrated === undefined && truePeak === undefined) return { kind: 'absent' };
  const problems: string[] = [];
  const read = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) {
      problems.push(`${name} is missing`);
      return undefined;
    }
    const text = raw.trim();
    const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
    if (!(value >= METADATA_RANGE.min && value <= METADATA_RANGE.max)) {
      const shown = raw.length > 40 ? `${raw.slice(0, 37)}...` : raw;
      problems.push(
        `${name} must be a decimal between ${METADATA_RANGE.min} and +${METADATA_RANGE.max}, got ${JSON.stringify(shown)}`,
      );
      return undefined;
    }
    return value;
  };
  const integratedLufs = read(LOUDNESS_METADATA.integrated, integrated);
  const truePeakDbtp = read(LOUDNESS_METADATA.truePeak, truePeak);
  if (integratedLufs === undefined || truePeakDbtp === undefined) {
    return { kind: 'invalid', problem: problems.join('; ') };
  }
  return { kind: 'valid', loudness: { integratedLufs, truePeakDbtp } };
}

/**
 * ffmpeg's arguments that measure a file's first audio stream and decode nothing else: an analysis
 * to the null muxer, with the file opened only as `container` under the render's protocol whitelist.
 * The per-frame log goes to `verbose`, so the summary is all ffmpeg prints.
 */
export function loudnessArgs(file: string, container: MediaContainer): string[] {
  return [
    ...pinnedInputArgs(container),
    '-protocol_whitelist',
    INPUT_PROTOCOLS,
    '-i',
    fileUrl(file),
    '-map',
    '0:a:0',
    '-af',
    'ebur128=peak=true:framelog=verbose',
    '-f',
    'null',
    '-',
  ];
}

/**
 * The integrated loudness and true peak from the summary ebur128 prints when it ends; undefined
 * when the text holds no complete summary.
 */
export function parseLoudnessSummary(stderr: string): Loudness | undefined {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const integrated = /Integrated loudness:\s*I:\s*(-?inf|[-+]?\d+(?:\.\d+)?) LUFS/.exec(summary);
  const peak = /True peak:\s*Peak:\s*(-?inf|[-+]?\d+(?:\.\d+)?) dBFS/.exec(summary);
  if (!integrated || !peak) return undefined;
  const value = (text: string) => {
    const number = text.endsWith('inf') ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text);
    return Math.max(SILENCE_LUFS, number);
  };
  return { integratedLufs: value(integrated[1]!), truePeakDbtp: value(peak[1]!) };
}

/** Measures one file with ffmpeg's ebur128 filter (decoding it once; nothing is written). */
export async function measureLoudness(
  runner: MediaRunner,
  file: string,
  container: MediaContainer,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<Loudness> {
  const { stderr } = await runner.ffmpeg(loudnessArgs(file, container), {
    timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const loudness = parseLoudnessSummary(stderr);
  if (!loudness) throw new Error(`ffmpeg's ebur128 filter printed no loudness summary for ${file}`);
  return loudness;
}

/** The settings of COMPOSE_LOUDNESS and COMPOSE_LOUDNESS_TARGET_LUFS as a render takes them. */
export function loudnessTargetOf(config: {
  composeLoudness?: boolean | undefined;
  composeLoudnessTargetLufs?: number | undefined;
}): LoudnessTarget | false {
  if (config.composeLoudness === false) return false;
  return {
    ...DEFAULT_LOUDNESS_TARGET,
    integratedLufs: config.composeLoudnessTargetLufs ?? DEFAULT_LOUDNESS_TARGET.integratedLufs,
  };
}
