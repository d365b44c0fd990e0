import type { RefusalReason } from '../plan/refusal.js';
import { BUNDLE_CONTAINER, type FileKind } from '../rules/agentConfig.js';
import { containerAllowed, type ProbedFile } from './mediaFile.js';

const DAMAGED_FIX = 'Export or copy the file again from the original and check that it plays';

function kindNoun(kind: FileKind): string {
  return kind === 'video' ? 'video' : 'voice-over';
}

/**
 * What is wrong with one probed media file on its own: unreadable or damaged, not really media of
 * its kind (a text file named `.mp3` probes as something else), empty of time, or — for a framing
 * video whose voice-over is extracted — without sound. Pure: the probe was done by the caller.
 */
export function checkMedia(
  probed: ProbedFile,
  allowedContainers: Readonly<Record<FileKind, readonly string[]>>,
): RefusalReason[] {
  const { file, probe } = probed;
  const noun = kindNoun(file.kind);
  if (probe === undefined) {
    return [
      {
        file: file.name,
        problem: `the ${noun} cannot be read: it is damaged, incomplete or not a media file${probed.error ? ` (${probed.error})` : ''}`,
        fix: DAMAGED_FIX,
      },
    ];
  }
  const allowed = allowedContainers[file.kind];
  if (!containerAllowed(probe.formatName, allowed)) {
    return [
      {
        file: file.name,
        problem: `the file is not a real ${allowed.map((ext) => `.${ext}`).join(' or ')} file (its content is "${probe.formatName}")`,
        fix: `Export it again as .${BUNDLE_CONTAINER[file.kind]} instead of renaming another file`,
      },
    ];
  }
  if (probed.incomplete !== undefined) {
    return [
      {
        file: file.name,
        problem: `the ${noun} is incomplete or damaged (the copy may have stopped early): ${probed.incomplete}`,
        fix: 'Copy it again from the original (camera card or export) and check that it plays to the end',
      },
    ];
  }
  const reasons: RefusalReason[] = [];
  if (file.kind === 'video' && probe.video === undefined) {
    reasons.push({
      file: file.name,
      problem: 'the file has no picture (no video stream)',
      fix: 'Export the video again with its picture',
    });
  }
  if (file.kind === 'voice-over' && probe.audio === undefined) {
    reasons.push({
      file: file.name,
      problem: 'the voice-over has no sound (no audio stream)',
      fix: 'Export the recording again as an mp3 with sound',
    });
  }
  if (!(probe.durationSeconds > 0)) {
    reasons.push({
      file: file.name,
      problem: `the ${noun} has no length (0 seconds)`,
      fix: DAMAGED_FIX,
    });
  }
  if (file.extractsVoiceOver && probe.audio === undefined) {
    reasons.push({
      file: file.name,
      problem: `the video has no sound, so the ${file.slot} voice-over cannot be taken from it`,
      fix: `Export the video again with its sound, or deliver the ${file.slot} voice-over as a separate .mp3 named like the video`,
    });
  }
  return reasons;
}
