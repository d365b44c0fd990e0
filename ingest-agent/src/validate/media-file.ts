import type { VideoPackets } from './read-all-packets.js';
import type { ProbeResult, Slot } from '@exercise-pipeline/shared';
import type { QcMeasurements } from '../qc/findings.js';
import type { FileKind } from '../rules/agent-config.js';

/**
 * One media file of a bundle-to-be, described in both vocabularies: `name` is how the team knows it
 * (the delivered file, or the bundle key for a hand-made bundle), `target` is its bundle key.
 */
export interface MediaFile {
  name: string;
  target: string;
  kind: FileKind;
  slot: Slot;
  variant: number;
  /** Voice-over language, or the language of the speech in a framing video. */
  language: string;
  /** Delivered extension, lowercase, without the dot. */
  ext: string;
  /** A framing video whose sound becomes the slot's voice-over. */
  extractsVoiceOver: boolean;
}

/** What ffprobe said about a file, or why it could not say anything. */
export interface ProbedFile {
  file: MediaFile;
  probe?: ProbeResult;
  /** ffprobe's complaint (last stderr line) when it could not read the file. */
  error?: string;
  /** Why the file's packets stop short of its declared length (a cut-off copy), in ffmpeg's words. */
  incomplete?: string;
  /** What the picture and sound check measured, when it ran (see ProbeFilesOptions.qc). */
  qc?: QcMeasurements;
  /**
   * What the video's packet read saw of its frames, when its picture is to be checked (the check
   * plans its decode with it, see checkPicture).
   */
  videoPackets?: VideoPackets;
}

/**
 * Container names ffprobe reports (`format_name`, comma-separated) that fit each extension. An mp4
 * reports `mov,mp4,m4a,3gp,3g2,mj2`, so one shared token is enough.
 */
export const CONTAINER_FORMATS: Readonly<Record<string, readonly string[]>> = {
  mp4: ['mp4'],
  m4v: ['mp4'],
  mov: ['mov'],
  mkv: ['matroska'],
  avi: ['avi'],
  mxf: ['mxf'],
  mp3: ['mp3'],
  wav: ['wav'],
  m4a: ['m4a', 'mp4'],
  aac: ['aac'],
  flac: ['flac'],
};

/** Whether ffprobe's `format_name` is one of the containers the allowed extensions stand for. */
export function containerAllowed(formatName: string, allowedExtensions: readonly string[]): boolean {
  const reported = formatName.split(',').map((part) => part.trim());
  return allowedExtensions.some((ext) =>
    (CONTAINER_FORMATS[ext] ?? [ext]).some((format) => reported.includes(format)),
  );
}

/** Demuxers of the containers above, as the first name of ffprobe's `format_name`. */
const MEDIA_DEMUXERS = new Set(['mov', 'matroska', 'avi', 'mxf', 'mp3', 'wav', 'aac', 'flac']);

/**
 * Input options that open a file again only as the media container its probe found (`-f mov
 * -format_whitelist mov,mp4,…`), so nothing inside it can switch ffmpeg to another demuxer; undefined
 * for anything that is not plain media (a playlist, a concat script, images), which is never read
 * further.
 */
export function pinnedInputFor(formatName: string): string[] | undefined {
  const names = formatName.split(',').map((part) => part.trim());
  const demuxer = names[0];
  if (demuxer === undefined || !MEDIA_DEMUXERS.has(demuxer)) return undefined;
  return ['-f', demuxer, '-format_whitelist', names.join(',')];
}
