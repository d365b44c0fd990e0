import { FfmpegError, type ProbeResult, runFfmpeg } from '@exercise-pipeline/shared';
import { emptyMeasurements, type QcMeasurements } from '../qc/findings.js';
import {
  KeyframeLogParser,
  keyframeInputArgs,
  keyframeOutputArgs,
  RegionLogParser,
  regionPassArgs,
} from '../qc/keyframe-graph.js';
import { keyframeGapProblem, type PicturePlan, planPictureCheck } from '../qc/keyframe-plan.js';
import { type AnalysisParser, QcLogParser, qcInputArgs, qcOutputArgs } from '../qc/qc-graph.js';
import type { QcConfig } from '../rules/agent-config.js';
import type { VideoPackets } from './read-all-packets.js';

/**
 * Containers whose seek lands on the keyframe at or before the time asked for by presentation time,
 * as the region pass needs; other footage is decoded whole.
 */
const KEYFRAME_SEEK_DEMUXERS = new Set(['mov', 'matroska']);

/** Errors that are about the agent (no ffmpeg, an abort), never about the file. */
const AGENT_PROBLEMS = new Set(['FFMPEG_NOT_FOUND', 'FFMPEG_ABORTED', 'FFMPEG_INPUT_REFUSED']);

export interface PictureCheckOptions {
  /** The pinned container (pinnedInputFor). */
  inputArgs: readonly string[];
  /** What the video's packet read (readAllPackets) saw of its keyframes and frames. */
  packets: Readonly<VideoPackets>;
  signal?: AbortSignal;
  /** Per ffmpeg run; default 10 minutes, as the packet read. */
  timeoutMs?: number;
  /** Run ffmpeg this much nicer than the agent (see MediaToolOptions.niceness). */
  niceness?: number;
}

/** What the picture check of one video came to. */
export type PictureCheck =
  /** A decode failed although the packets read to the end: ffmpeg's complaint. */
  { undecodable: string } | { qc: QcMeasurements; plan: PicturePlan };

/** The last problem ffmpeg printed, without the file's path (the caller names the file). */
function lastProblem(problems: readonly string[]): string {
  const line =
    problems
      .map((text) => text.trim())
      .filter((text) => text !== '')
      .at(-1) ?? '';
  const reason = line.replace(/^.*?:\s+(?=[A-Za-z])/, '');
  return reason === '' ? 'ffmpeg cannot decode it to the end' : reason;
}

/** Runs one decode of the check; resolves with ffmpeg's complaint when it fails on the file. */
async function decode(
  args: readonly string[],
  parser: AnalysisParser,
  options: PictureCheckOptions,
): Promise<string | undefined> {
  try {
    await runFfmpeg(['-v', 'level+info', '-xerror', ...args], {
      timeoutMs: options.timeoutMs ?? 600_000,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.niceness === undefined ? {} : { niceness: options.niceness }),
      onStderrLine: (line) => parser.line(line),
    });
    return undefined;
  } catch (error) {
    if (!(error instanceof FfmpegError) || AGENT_PROBLEMS.has(error.code) || error.timedOut) throw error;
    return lastProblem(parser.problems);
  }
}

/**
 * The picture check of one video whose packets were read to the end, keyframe first. When its
 * keyframes are close enough (keyframeGapProblem), the keyframe pass decodes only them and
 * planPictureCheck names the regions around black keyframes and keyframes that match the one
 * before; one more run decodes those at full rate. Otherwise, or when the keyframe pass finds the
 * candidates cover most of the file, one run decodes every frame, as before. Either way the black
 * and frozen stretches are the ones a decode of every frame reports. A missing ffmpeg, an abort or a
 * timeout rejects.
 */
export async function checkPicture(
  path: string,
  probe: ProbeResult,
  qc: QcConfig,
  options: PictureCheckOptions,
): Promise<PictureCheck> {
  const input = [...options.inputArgs, '-i', path];
  const fps = probe.video?.fps ?? 0;
  const demuxer = probe.formatName.split(',')[0] ?? '';
  let plan: PicturePlan;
  if (!KEYFRAME_SEEK_DEMUXERS.has(demuxer)) {
    plan = { mode: 'full', reason: `the ${demuxer} container is not seeked by keyframe time` };
  } else if (!(fps > 0)) {
    plan = { mode: 'full', reason: 'the frame rate is unknown' };
  } else {
    const { keyframeTimes, frameSpacing } = options.packets;
    const problem = keyframeGapProblem(keyframeTimes, probe.durationSeconds, qc, frameSpacing);
    plan = problem === undefined ? { mode: 'regions', regions: [] } : { mode: 'full', reason: problem };
  }
  if (plan.mode === 'regions') {
    const keyframes = new KeyframeLogParser(probe.video?.timeBase);
    const failed = await decode(
      [...keyframeInputArgs(), ...input, ...keyframeOutputArgs(qc)],
      keyframes,
      options,
    );
    if (failed !== undefined) return { undecodable: failed };
    plan = planPictureCheck(keyframes.keyframes, probe.durationSeconds, qc, options.packets.frameSpacing);
  }
  if (plan.mode === 'full') {
    const parser = new QcLogParser();
    const failed = await decode(
      [...qcInputArgs('video'), ...input, ...qcOutputArgs('video', qc)],
      parser,
      options,
    );
    return failed === undefined
      ? { qc: parser.finish(probe.durationSeconds), plan }
      : { undecodable: failed };
  }
  if (plan.regions.length === 0) return { qc: emptyMeasurements(), plan };
  const parser = new RegionLogParser();
  const failed = await decode(
    regionPassArgs(path, options.inputArgs, plan.regions, qc, 1 / fps),
    parser,
    options,
  );
  return failed === undefined
    ? { qc: parser.finish(plan.regions, probe.durationSeconds), plan }
    : { undecodable: failed };
}
