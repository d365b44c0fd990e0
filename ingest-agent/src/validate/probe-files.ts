import { FfmpegError, type ProbeResult, probeMedia, runPool } from '@exercise-pipeline/shared';
import { emptyMeasurements, type QcMeasurements } from '../qc/findings.js';
import { picturesChecked, QcLogParser, type QcStream, qcInputArgs, qcOutputArgs } from '../qc/qc-graph.js';
import type { QcConfig } from '../rules/agent-config.js';
import { type MediaFile, type ProbedFile, pinnedInputFor } from './media-file.js';
import { checkPicture } from './check-picture.js';
import { emptyVideoPackets, readAllPackets, type VideoPackets } from './read-all-packets.js';

export interface ProbeTarget {
  file: MediaFile;
  /** Absolute path of the bytes to probe. */
  path: string;
}

export interface ProbeFilesOptions {
  /** ffprobe processes at once; default 2 (the agent often runs on a small NAS). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Per file; default 30 s. */
  timeoutMs?: number;
  /**
   * Also read every packet of each file that probes, to catch copies cut off at the end (see
   * readAllPackets); default true. Off only for files the agent wrote itself.
   */
  readPackets?: boolean;
  /**
   * Decode each file once in the packet read to check its picture (videos) or sound (voice-overs);
   * skipped when `enabled` is false or packets are not read.
   */
  qc?: QcConfig;
  /**
   * Leave the videos' picture check out of this read (their packets are still read through), to
   * run it later with checkPictures; default false.
   */
  deferPictures?: boolean;
}

/** Which stream of a file the check decodes: a video's picture, a voice-over's sound. */
function qcStream(kind: MediaFile['kind'], probe: ProbeResult, qc: QcConfig): QcStream | undefined {
  // Only black and frozen pictures need the decode; with both off the picture is not decoded.
  if (kind === 'video') return probe.video === undefined || !picturesChecked(qc) ? undefined : 'video';
  return probe.audio === undefined ? undefined : 'audio';
}

/** The last non-empty stderr line: ffprobe puts the reason there (`moov atom not found`). */
function lastLine(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const line = lines.at(-1);
  // The path is already named by the refusal; repeating it only makes the line longer.
  return line?.replace(/^.*?:\s+(?=[A-Za-z])/, '');
}

/**
 * Probes every file with ffprobe, then reads its packets through (see readAllPackets). A file
 * ffprobe cannot read becomes a ProbedFile with `error`, one whose packets stop short gets
 * `incomplete` (refusal reasons later); a missing ffmpeg or an abort is a failure of the agent and
 * is thrown. Both steps of a file share one pool slot, so at most `concurrency` processes run.
 */
export async function probeFiles(
  targets: readonly ProbeTarget[],
  options: ProbeFilesOptions = {},
): Promise<ProbedFile[]> {
  return runPool(targets, options.concurrency ?? 2, async ({ file, path }) => {
    try {
      const probe = await probeMedia(path, {
        timeoutMs: options.timeoutMs ?? 30_000,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (options.readPackets === false || !(probe.durationSeconds > 0)) return { file, probe };
      const deferred = options.deferPictures === true && file.kind === 'video';
      return await readThrough({ file, path }, probe, options.qc, { deferred, signal: options.signal });
    } catch (error) {
      return failedRead(file, error);
    }
  });
}

/**
 * How much nicer than the agent the picture check runs beside staging and upload: the CPU goes first
 * to staging, which the upload waits for, and the check takes what is left while the upload crosses
 * the network (on a 2-core machine staging otherwise took about 2.5 times as long).
 */
export const PICTURES_BESIDE_NICENESS = 10;

/**
 * The picture check of the videos probeFiles read with `deferPictures`: each video that read to its
 * end is decoded once more (keyframe first, see checkPicture), `concurrency` at a time, its ffmpeg
 * runs PICTURES_BESIDE_NICENESS nicer than the agent. Resolves
 * with `probed` in the same order, the videos' `qc` filled in. A video whose decode fails although
 * its packets read to the end gets `qc.undecodable` (ffmpeg's complaint), which the check reports;
 * an abort or a missing ffmpeg rejects.
 */
export async function checkPictures(
  probed: readonly ProbedFile[],
  paths: ReadonlyMap<string, string>,
  qc: QcConfig,
  options: Pick<ProbeFilesOptions, 'concurrency' | 'signal'> = {},
): Promise<ProbedFile[]> {
  return runPool(probed, options.concurrency ?? 2, async (entry) => {
    const path = paths.get(entry.file.name);
    const { probe } = entry;
    if (entry.file.kind !== 'video' || path === undefined || probe === undefined) return entry;
    if (entry.error !== undefined || entry.incomplete !== undefined || entry.qc !== undefined) return entry;
    if (probe.video === undefined || !picturesChecked(qc) || entry.videoPackets === undefined) return entry;
    const inputArgs = pinnedInputFor(probe.formatName);
    if (inputArgs === undefined) return entry;
    const check = { signal: options.signal, niceness: PICTURES_BESIDE_NICENESS };
    return { ...entry, qc: await pictureOf(path, probe, qc, inputArgs, entry.videoPackets, check) };
  });
}

/** The picture check of a video whose packets read to the end (see checkPicture). */
async function pictureOf(
  path: string,
  probe: ProbeResult,
  qc: QcConfig,
  inputArgs: readonly string[],
  packets: Readonly<VideoPackets>,
  { signal, niceness }: { signal: AbortSignal | undefined; niceness?: number },
): Promise<QcMeasurements> {
  const checked = await checkPicture(path, probe, qc, {
    inputArgs,
    packets,
    ...(signal ? { signal } : {}),
    ...(niceness === undefined ? {} : { niceness }),
  });
  return 'qc' in checked ? checked.qc : { ...emptyMeasurements(), undecodable: checked.undecodable };
}

/** A file whose read failed: ffmpeg's complaint; a missing ffmpeg or an abort is thrown. */
function failedRead(file: MediaFile, error: unknown): ProbedFile {
  if (!(error instanceof FfmpegError)) throw error;
  if (error.code === 'FFMPEG_NOT_FOUND' || error.code === 'FFMPEG_ABORTED') throw error;
  const detail = lastLine(error.stderrTail);
  return detail === undefined ? { file } : { file, error: detail };
}

/**
 * Reads every packet of a probed file through, decoding it for the check when `qc` says so: a
 * voice-over's sound in the same run; a video's picture after it (see checkPicture), planned with
 * the keyframe times the packet read collects, or later (checkPictures) when `deferred`.
 */
async function readThrough(
  { file, path }: ProbeTarget,
  probe: ProbeResult,
  qc: QcConfig | undefined,
  { deferred, signal }: { deferred: boolean; signal: AbortSignal | undefined },
): Promise<ProbedFile> {
  // Anything but plain media is refused by its container (checkMedia), never read further.
  const inputArgs = pinnedInputFor(probe.formatName);
  if (inputArgs === undefined) return { file, probe };
  const stream = qc?.enabled ? qcStream(file.kind, probe, qc) : undefined;
  const analysis =
    stream !== 'audio' || qc === undefined
      ? undefined
      : { outputArgs: qcOutputArgs(stream, qc), parser: new QcLogParser() };
  const videoPackets = stream === 'video' ? emptyVideoPackets() : undefined;
  const incomplete = await readAllPackets(path, {
    declaredSeconds: probe.durationSeconds,
    inputArgs: stream === 'audio' ? [...qcInputArgs(stream), ...inputArgs] : inputArgs,
    ...(analysis ? { analysis } : {}),
    ...(videoPackets ? { videoPackets } : {}),
    ...(signal ? { signal } : {}),
  });
  if (incomplete !== undefined) return { file, probe, incomplete };
  if (videoPackets !== undefined && qc !== undefined) {
    if (deferred) return { file, probe, videoPackets };
    return {
      file,
      probe,
      videoPackets,
      qc: await pictureOf(path, probe, qc, inputArgs, videoPackets, { signal }),
    };
  }
  return analysis === undefined
    ? { file, probe }
    : { file, probe, qc: analysis.parser.finish(probe.durationSeconds) };
}
