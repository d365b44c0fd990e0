/**
 * The picture and sound check's vocabulary: what it measures in one file, and what it found there.
 */
import type { QcConfig } from '../rules/agent-config.js';

/**
 * Every kind of finding; each but `undecodable` has its own action (warn, refuse, off) in the
 * config's `qc`. `undecodable` (a video whose picture cannot be decoded to its end, so it was not
 * checked) refuses when the pictures are checked before upload (`black` or `freeze` refuses) and
 * warns otherwise.
 */
export const QC_KINDS = [
  'black',
  'freeze',
  'silent',
  'silence',
  'clipping',
  'vfr',
  'rotation',
  'undecodable',
] as const;
export type QcKind = (typeof QC_KINDS)[number];
/** The kinds the config gives an action. */
export type ConfiguredQcKind = Exclude<QcKind, 'undecodable'>;

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
  /** ffmpeg's complaint when a video's picture could not be decoded to its end (nothing else was measured). */
  undecodable?: string;
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
  /** ffmpeg's complaint, for undecodable. */
  detail?: string;
  action: 'warn' | 'refuse';
  /** A voice-over cut out of this video's sound, rather than the file itself. */
  extractedVoiceOver?: boolean;
}

/**
 * Whether what the picture decode finds can refuse a delivery. When it cannot, the decode may run
 * beside staging and upload (checkPictures) instead of before them.
 */
export function picturesRefuse(config: QcConfig): boolean {
  return config.enabled && (config.black === 'refuse' || config.freeze === 'refuse');
}

/** The configured action for a kind; `off` findings are never made. */
export function actionOf(config: QcConfig, kind: QcKind): QcConfig[ConfiguredQcKind] {
  if (kind !== 'undecodable') return config[kind];
  return picturesRefuse(config) ? 'refuse' : 'warn';
}
