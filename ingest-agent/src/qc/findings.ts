/**
 * The picture and sound check's vocabulary: what it measures in one file, and what it found there.
 */
import type { QcConfig } from '../rules/agent-config.js';

/** Every kind of finding; each has its own action (warn, refuse, off) in the config's `qc`. */
export const QC_KINDS = ['black', 'freeze', 'silent', 'silence', 'clipping', 'vfr', 'rotation'] as const;
export type QcKind = (typeof QC_KINDS)[number];

/** A stretch of a file, in seconds from its start. */
export interface Stretch {
  start: number;
  end: number;
}

/** What one ffmpeg decode of a file measured (see qcGraph and QcLogParser). */
export interface QcMeasurements {
  black: Stretch[];
  freeze: Stretch[];
  silence: Stretch[];
  /** ebur128 integrated loudness of a voice-over (LUFS); absent for video or when not measured. */
  integratedLufs?: number;
  /** ebur128 true peak (dBTP); -Infinity for digital silence. */
  truePeakDbtp?: number;
  /** Places (audio frames of about 26 ms) where the sound reaches full scale. */
  clippedPlaces: number;
  /** Where the first of them is. */
  firstClippedSeconds?: number;
}

export function emptyMeasurements(): QcMeasurements {
  return { black: [], freeze: [], silence: [], clippedPlaces: 0 };
}

/** Loudness of one voice-over, as stored in its S3 object's metadata. */
export interface Loudness {
  integratedLufs: number;
  truePeakDbtp: number;
}

export interface QcFinding {
  kind: QcKind;
  /** The file as the team delivered it. */
  file: string;
  /** Where it starts (0 for something about the whole file), seconds from the file's start. */
  atSeconds: number;
  /** Where it ends, for a stretch. */
  untilSeconds?: number;
  /**
   * The measured value the message quotes: silent → the loudest moment (dBFS), clipping → places at
   * full scale, vfr → the average frames per second, rotation → degrees.
   */
  value?: number;
  /** Nominal frames per second, for vfr. */
  nominal?: number;
  action: 'warn' | 'refuse';
  /** A voice-over cut out of this video's sound, rather than the file itself. */
  extractedVoiceOver?: boolean;
}

/** The configured action for a kind; `off` findings are never made. */
export function actionOf(config: QcConfig, kind: QcKind): QcConfig[QcKind] {
  return config[kind];
}
