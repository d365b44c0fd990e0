import { FRAMING_SLOTS, type Manifest, repSlot, type Slot } from '@exercise-pipeline/shared';
import { type RefusalReason, refusal } from '../plan/refusal.js';
import { decimal, type Translated } from '../report/language.js';
import type { MediaFile, ProbedFile } from './media-file.js';

/** A voice-over the bundle will get by extraction rather than delivery. */
export interface ExtractedVoiceOver {
  target: string;
  slot: Slot;
  language: string;
  variant: number;
}

export interface BundleCheckInput {
  manifest: Manifest;
  /** Every video and delivered voice-over, probed (a failed probe still counts for coverage). */
  probed: readonly ProbedFile[];
  extracted: readonly ExtractedVoiceOver[];
}

/** The properties the composer's fast path (stream copy of segments) needs identical across videos. */
export interface VideoProfile {
  codec: string;
  width: number;
  height: number;
  frameRate: string;
  pixelFormat: string;
}

export interface BundleCheckResult {
  refusals: RefusalReason[];
  /** Not a reason to refuse, but worth telling: the composer falls back to re-encoding. */
  warnings: RefusalReason[];
  /** The profile most videos share; null when no video probed. */
  profile: VideoProfile | null;
  /** Videos whose profile differs from `profile`. */
  mismatched: MediaFile[];
}

const SLOT_WORDS: Record<Slot, Translated> = {
  intro: { en: 'intro', ro: 'intro' },
  pauza: { en: 'pauza (pause)', ro: 'pauză' },
  outro: { en: 'outro', ro: 'outro' },
  'rep-left': { en: 'left side (Stanga)', ro: 'partea stângă (Stanga)' },
  'rep-right': { en: 'right side (Dreapta)', ro: 'partea dreaptă (Dreapta)' },
  'rep-bilateral': { en: 'both sides (bilateral)', ro: 'ambele părți (bilateral)' },
};

/** The slots a bundle declaring these sides needs: every framing slot and one rep slot per side. */
export function requiredSlots(manifest: Pick<Manifest, 'sides'>): Slot[] {
  return [...FRAMING_SLOTS, ...manifest.sides.map(repSlot)];
}

function describeProfile(profile: VideoProfile): string {
  return `${profile.width}x${profile.height} at ${profile.frameRate} fps, ${profile.codec} ${profile.pixelFormat}`;
}

function profileKey(profile: VideoProfile): string {
  return describeProfile(profile);
}

function profileOf(probed: ProbedFile): VideoProfile | null {
  const video = probed.probe?.video;
  if (video === undefined) return null;
  return {
    codec: video.codec,
    width: video.width,
    height: video.height,
    frameRate: video.frameRate,
    pixelFormat: video.pixelFormat,
  };
}

function coverage(input: BundleCheckInput): RefusalReason[] {
  const reasons: RefusalReason[] = [];
  const files = input.probed.map((probed) => probed.file);
  for (const slot of requiredSlots(input.manifest)) {
    if (!files.some((file) => file.kind === 'video' && file.slot === slot)) {
      reasons.push(refusal('missingVideo', { part: SLOT_WORDS[slot] }));
      continue;
    }
    for (const language of input.manifest.languages) {
      const delivered = files.some(
        (file) => file.kind === 'voice-over' && file.slot === slot && file.language === language,
      );
      const extracted = input.extracted.some((vo) => vo.slot === slot && vo.language === language);
      if (delivered || extracted) continue;
      const part = SLOT_WORDS[slot];
      reasons.push(
        slot.startsWith('rep-')
          ? refusal('missingRepVoice', { part, language, counts: input.manifest.counts_per_audio_master })
          : refusal('missingFramingVoice', { part, language }),
      );
    }
  }
  return reasons;
}

/**
 * A counting master must last as long as `counts_per_audio_master` reps take at the pace of the
 * rep videos (video length / reps per block); half a rep of slack absorbs encoder padding.
 */
function tempo(input: BundleCheckInput): RefusalReason[] {
  const { reps_per_video_block: block, counts_per_audio_master: counts } = input.manifest;
  const reasons: RefusalReason[] = [];
  for (const side of input.manifest.sides) {
    const slot = repSlot(side);
    const paces = input.probed
      .filter((probed) => probed.file.kind === 'video' && probed.file.slot === slot)
      .map((probed) => (probed.probe?.durationSeconds ?? 0) / block)
      .filter((pace) => pace > 0);
    if (paces.length === 0) continue;
    const secondsPerRep = Math.max(...paces);
    const needed = counts * secondsPerRep;
    for (const probed of input.probed) {
      if (probed.file.kind !== 'voice-over' || probed.file.slot !== slot) continue;
      const duration = probed.probe?.durationSeconds;
      if (duration === undefined || duration <= 0) continue;
      if (duration >= needed - secondsPerRep / 2) continue;
      const params = {
        duration: decimal(duration, 1),
        counts,
        pace: decimal(secondsPerRep, 2),
        needed: decimal(needed, 1),
      };
      reasons.push(refusal('countingTooShort', params, probed.file.name));
    }
  }
  return reasons;
}

function mismatches(input: BundleCheckInput): Pick<BundleCheckResult, 'profile' | 'mismatched' | 'warnings'> {
  const videos = input.probed
    .filter((probed) => probed.file.kind === 'video')
    .map((probed) => ({ probed, profile: profileOf(probed) }))
    .filter((entry): entry is { probed: ProbedFile; profile: VideoProfile } => entry.profile !== null)
    .sort((a, b) => (a.probed.file.target < b.probed.file.target ? -1 : 1));
  if (videos.length === 0) return { profile: null, mismatched: [], warnings: [] };
  const counts = new Map<string, { profile: VideoProfile; count: number }>();
  for (const { profile } of videos) {
    const key = profileKey(profile);
    const entry = counts.get(key) ?? { profile, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  // Most common wins; among equals the first in bundle order, so the choice is stable.
  let majority = videos[0]!.profile;
  let best = 0;
  for (const { profile, count } of counts.values()) {
    if (count > best) {
      majority = profile;
      best = count;
    }
  }
  const majorityKey = profileKey(majority);
  const odd = videos.filter((entry) => profileKey(entry.profile) !== majorityKey);
  return {
    profile: majority,
    mismatched: odd.map((entry) => entry.probed.file),
    warnings: odd.map((entry) =>
      refusal(
        'videoProfileDiffers',
        { profile: describeProfile(entry.profile), majority: describeProfile(majority) },
        entry.probed.file.name,
      ),
    ),
  };
}

/**
 * Whole-bundle checks that no single file shows: every slot the declared sides need has a video
 * and, per language, a voice-over; counting masters are long enough for the rep videos' pace; and
 * which videos differ in codec, size, frame rate or pixel format from the rest.
 */
export function checkBundle(input: BundleCheckInput): BundleCheckResult {
  return { refusals: [...coverage(input), ...tempo(input)], ...mismatches(input) };
}
