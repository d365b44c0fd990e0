import { type RefusalReason, refusal } from '../plan/refusal.js';
import type { Translated } from '../report/language.js';
import { BUNDLE_CONTAINER, type FileKind } from '../rules/agent-config.js';
import { containerAllowed, type ProbedFile } from './media-file.js';

const KIND_NOUNS: Record<FileKind, Translated> = {
  video: { en: 'video', ro: 'video' },
  'voice-over': { en: 'voice-over', ro: 'audio' },
};

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
  const noun = KIND_NOUNS[file.kind];
  if (probe === undefined) {
    const detail = probed.error ? ` (${probed.error})` : '';
    return [refusal('mediaUnreadable', { noun, detail }, file.name)];
  }
  const allowed = allowedContainers[file.kind];
  if (!containerAllowed(probe.formatName, allowed)) {
    const params = {
      allowed: allowed.map((ext) => `.${ext}`),
      format: probe.formatName,
      container: BUNDLE_CONTAINER[file.kind],
    };
    return [refusal('notRealContainer', params, file.name)];
  }
  if (probed.incomplete !== undefined) {
    return [refusal('mediaIncomplete', { noun, detail: probed.incomplete }, file.name)];
  }
  const reasons: RefusalReason[] = [];
  if (file.kind === 'video' && probe.video === undefined) {
    reasons.push(refusal('noPicture', {}, file.name));
  }
  if (file.kind === 'voice-over' && probe.audio === undefined) {
    reasons.push(refusal('noSound', {}, file.name));
  }
  if (!(probe.durationSeconds > 0)) {
    reasons.push(refusal('noLength', { noun }, file.name));
  }
  if (file.extractsVoiceOver && probe.audio === undefined) {
    reasons.push(refusal('framingVideoSilent', { slot: file.slot }, file.name));
  }
  return reasons;
}
