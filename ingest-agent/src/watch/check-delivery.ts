import path from 'node:path';
import { FfmpegError, probeMedia } from '@exercise-pipeline/shared';
import { readAllPackets } from '../validate/read-all-packets.js';
import { isMediaFile } from './drop-layout.js';
import { type FileState, firstDifference, snapshotDelivery, snapshotSignature } from './snapshot-delivery.js';

/** Whether one media file reads as complete; a problem says why not, in the team's terms. */
export type ProbeFile = (file: string, signal?: AbortSignal) => Promise<{ problem?: string }>;

/** A file that holds the delivery back, and why. */
export interface IncompleteFile {
  file: string;
  problem: string;
}

export type DeliveryCheck =
  | { outcome: 'settled'; files: FileState[]; signature: string }
  /** A file changed between the two snapshots of this check. */
  | { outcome: 'unstable'; file: string }
  | { outcome: 'incomplete'; files: FileState[]; signature: string; problems: IncompleteFile[] }
  /** The delivery folder is gone (moved, renamed or deleted). */
  | { outcome: 'missing' };

export interface CheckDeliveryOptions {
  folder: string;
  /** Receives the POSIX path inside the delivery. */
  isIgnored: (relativePath: string) => boolean;
  /** Default: ffprobe must read the file without error and report a duration above zero. */
  probe?: ProbeFile;
  signal?: AbortSignal;
}

/** Errors that say nothing about the file but about the agent itself; they must not look like a half copy. */
const AGENT_PROBLEMS = new Set(['FFMPEG_NOT_FOUND', 'FFMPEG_ABORTED', 'FFMPEG_INPUT_REFUSED']);

/**
 * The default probe. A file still being copied usually fails ffprobe outright (an mp4's index is
 * written last), and one that parses but has no duration is no use to the pipeline either. A
 * fast-start mp4 or an mp3 parses with its full length from the first bytes on, so its packets are
 * read through as well: a copy that stopped early ends short of that length.
 */
export const probeComplete: ProbeFile = async (file, signal) => {
  try {
    const probe = await probeMedia(file, { ...(signal ? { signal } : {}), timeoutMs: 30_000 });
    if (!(probe.durationSeconds > 0)) {
      return { problem: 'ffprobe reads no duration; the copy may still be running or the file is damaged' };
    }
    const incomplete = await readAllPackets(file, {
      declaredSeconds: probe.durationSeconds,
      ...(signal ? { signal } : {}),
    });
    if (incomplete === undefined) return {};
    return { problem: `the file is incomplete or damaged (the copy may have stopped early): ${incomplete}` };
  } catch (error) {
    if (error instanceof FfmpegError && !AGENT_PROBLEMS.has(error.code)) {
      const detail = error.stderrTail.trim().split('\n').pop() ?? '';
      return { problem: `ffprobe cannot read it${detail === '' ? '' : ` (${detail})`}` };
    }
    throw error;
  }
};

/**
 * The completeness check run once a delivery has been quiet for the settle time: snapshot every
 * file (size + mtime), probe every media file, snapshot again. Settled only when both snapshots
 * agree and every probe passed — two stats of the same files around the probes instead of
 * waiting another settle period, because the quiet period already proved there was no traffic.
 */
export async function checkDelivery(options: CheckDeliveryOptions): Promise<DeliveryCheck> {
  const { folder, isIgnored, signal } = options;
  const probe = options.probe ?? probeComplete;
  const before = await snapshotDelivery(folder, isIgnored);
  if (before === undefined) return { outcome: 'missing' };
  const problems: IncompleteFile[] = [];
  if (before.length === 0) problems.push({ file: '.', problem: 'the folder holds no files yet' });
  for (const file of before) {
    if (file.special) {
      problems.push({
        file: file.path,
        problem: 'it is not a readable file (a link to nothing, a pipe or a device)',
      });
      continue;
    }
    if (!isMediaFile(file.path)) continue;
    signal?.throwIfAborted();
    const { problem } = await probe(path.join(folder, file.path), signal);
    if (problem !== undefined) problems.push({ file: file.path, problem });
  }
  const after = await snapshotDelivery(folder, isIgnored);
  if (after === undefined) return { outcome: 'missing' };
  const changed = firstDifference(before, after);
  if (changed !== undefined) return { outcome: 'unstable', file: changed };
  const signature = snapshotSignature(after);
  if (problems.length > 0) return { outcome: 'incomplete', files: after, signature, problems };
  return { outcome: 'settled', files: after, signature };
}
