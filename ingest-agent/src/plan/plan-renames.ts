import {
  FRAMING_SLOTS,
  type FramingSlot,
  isValidLanguage,
  isValidVariant,
  MAX_VARIANT,
  SIDES,
  type Side,
  type Slot,
  videoFileName,
  voiceOverPath,
} from '@exercise-pipeline/shared';
import { type AgentConfig, BUNDLE_CONTAINER, type FileKind } from '../rules/agent-config.js';
import { isJunk, toPosixPath } from '../rules/is-junk.js';
import { compileRules, type FileMatch, matchFileName } from '../rules/match-file-name.js';
import type { Translated } from '../report/language.js';
import { type RefusalReason, refusal } from './refusal.js';

export interface DeliveredFile {
  /** Path inside the delivery folder; `/` or `\` separated. */
  relativePath: string;
  size: number;
}

export interface PlannedRename {
  /** The delivered file, relative to the delivery folder (POSIX separators). */
  source: string;
  /** Its place in the bundle: `intro-video-1.mp4`, `audio/ro/rep-left-vo-1.mp3`. */
  target: string;
  slot: Slot;
  kind: FileKind;
  variant: number;
  /** For a voice-over, its language; for a video, the language of the speech baked into it. */
  language: string;
  /** The delivered container is not the bundle's (mp4/mp3), so the file is re-encoded, not copied. */
  convert: boolean;
  size: number;
  /** Which rule matched, for explaining a plan: its position in compileRules' list… */
  ruleIndex: number;
  /** …and its label: `regex #3` or `rep-left (words: stanga)`. */
  rule: string;
}

/** A framing voice-over to cut out of a framing video, because none was delivered separately. */
export interface PlannedExtraction {
  /** The delivered framing video. */
  source: string;
  /** `audio/{lang}/{slot}-vo-{n}.mp3` */
  target: string;
  slot: FramingSlot;
  variant: number;
  language: string;
}

export interface RenamePlan {
  /** Sorted by target. Files involved in a refusal are not listed. */
  renames: PlannedRename[];
  /** Sorted by target. */
  extractions: PlannedExtraction[];
  /** Junk that is left out of the bundle. */
  ignored: string[];
  /** `manifest.json` at the top of the delivery, if any. */
  manifestFile: string | null;
  /** Sides with rep files, in manifest order (left, right, bilateral). */
  sides: Side[];
  /** Languages the bundle will have voice-over in (delivered or extracted), sorted. */
  languages: string[];
  /** Empty when the delivery can be ingested. */
  refusals: RefusalReason[];
}

function isFramingSlot(slot: Slot): slot is FramingSlot {
  return (FRAMING_SLOTS as readonly string[]).includes(slot);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

const KIND_WORDS: Record<FileKind, Translated> = {
  video: { en: 'videos', ro: 'videoclipurile' },
  'voice-over': { en: 'voice-over files', ro: 'fișierele audio (voice-over)' },
};

/** What is wrong with a matched file on its own, before it meets the others. */
function fileProblems(path: string, size: number, match: FileMatch, config: AgentConfig): RefusalReason[] {
  const reasons: RefusalReason[] = [];
  if (size === 0) reasons.push(refusal('emptyFile', {}, path));
  const allowed = config.allowedContainers[match.kind];
  if (!allowed.includes(match.ext)) {
    const params = {
      kinds: KIND_WORDS[match.kind],
      allowed: allowed.map((ext) => `.${ext}`),
      container: BUNDLE_CONTAINER[match.kind],
    };
    reasons.push(
      match.ext === ''
        ? refusal('noExtension', params, path)
        : refusal('containerNotAccepted', { ...params, ext: match.ext }, path),
    );
  }
  if (!isValidVariant(match.variant)) {
    reasons.push(refusal('badVariant', { variant: match.variant, max: MAX_VARIANT }, path));
  }
  if (!isValidLanguage(match.language)) {
    reasons.push(refusal('badLanguage', { language: match.language }, path));
  }
  return reasons;
}

function targetOf(match: FileMatch): string {
  return match.kind === 'video'
    ? videoFileName(match.slot, match.variant)
    : voiceOverPath(match.language, match.slot, match.variant);
}

/**
 * Decides how a delivery becomes a bundle: each file's target name, the framing voice-over to
 * extract, and every reason to refuse it. Pure: the caller lists the folder (sizes included) and
 * executes the plan. Files in sub-folders are matched by their own name, so the team may group
 * files in folders freely; two files that would land on one target are both refused rather than
 * one silently winning.
 */
export function planRenames(files: readonly DeliveredFile[], config: AgentConfig): RenamePlan {
  const matched = matchDeliveredFiles(files, config);
  const shared = refuseSharedTargets(matched.candidates);
  const renames = shared.renames;
  const refusals = [...matched.refusals, ...shared.refusals];
  if (renames.length === 0 && refusals.length === 0) {
    refusals.push(refusal('nothingToIngest', {}));
  }
  const extractions = plannedExtractions(renames);
  return {
    renames,
    extractions,
    ignored: matched.ignored,
    manifestFile: matched.manifestFile,
    sides: repSides(renames),
    languages: voiceOverLanguages(renames, extractions),
    refusals,
  };
}

interface MatchedFiles {
  /** Files that name a slot and are fine on their own, before they meet the others. */
  candidates: PlannedRename[];
  ignored: string[];
  manifestFile: string | null;
  refusals: RefusalReason[];
}

/**
 * Sorts each delivered file, in path order, into junk, the delivered manifest, or a candidate
 * rename by the config's rules; a name no rule knows, a nested manifest and a file with problems
 * of its own are refused.
 */
function matchDeliveredFiles(files: readonly DeliveredFile[], config: AgentConfig): MatchedFiles {
  const rules = compileRules(config.rules, config.naming);
  const matched: MatchedFiles = { candidates: [], ignored: [], manifestFile: null, refusals: [] };
  const sorted = files
    .map((file) => ({ path: toPosixPath(file.relativePath), size: file.size }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  for (const { path, size } of sorted) {
    if (isJunk(path, config.junk)) {
      matched.ignored.push(path);
      continue;
    }
    const name = baseName(path);
    if (name.toLowerCase() === 'manifest.json') {
      if (!path.includes('/')) matched.manifestFile = path;
      else matched.refusals.push(refusal('nestedManifest', {}, path));
      continue;
    }
    const match = matchFileName(name, rules, config.defaultLanguage);
    if (!match) {
      matched.refusals.push(refusal('unmatchedName', {}, path));
      continue;
    }
    const problems = fileProblems(path, size, match, config);
    if (problems.length > 0) matched.refusals.push(...problems);
    else matched.candidates.push(plannedRename(path, size, match));
  }
  return matched;
}

function plannedRename(path: string, size: number, match: FileMatch): PlannedRename {
  return {
    source: path,
    target: targetOf(match),
    slot: match.slot,
    kind: match.kind,
    variant: match.variant,
    language: match.language,
    convert: match.ext !== BUNDLE_CONTAINER[match.kind],
    size,
    ruleIndex: match.ruleIndex,
    rule: match.rule,
  };
}

/**
 * Candidates that would land on one target are all refused, naming each other; the rest become the
 * renames, sorted by target.
 */
function refuseSharedTargets(candidates: readonly PlannedRename[]): {
  renames: PlannedRename[];
  refusals: RefusalReason[];
} {
  const byTarget = new Map<string, PlannedRename[]>();
  for (const candidate of candidates) {
    byTarget.set(candidate.target, [...(byTarget.get(candidate.target) ?? []), candidate]);
  }
  const renames: PlannedRename[] = [];
  const refusals: RefusalReason[] = [];
  for (const [target, group] of byTarget) {
    if (group.length === 1) {
      renames.push(...group);
      continue;
    }
    const names = group.map((candidate) => `"${candidate.source}"`).join(', ');
    for (const candidate of group) {
      refusals.push(refusal('sameTarget', { names, target }, candidate.source));
    }
  }
  renames.sort((a, b) => (a.target < b.target ? -1 : 1));
  return { renames, refusals };
}

/** The framing voice-overs to cut out of framing videos, where none was delivered; sorted by target. */
function plannedExtractions(renames: readonly PlannedRename[]): PlannedExtraction[] {
  const targets = new Set(renames.map((rename) => rename.target));
  const extractions: PlannedExtraction[] = [];
  for (const rename of renames) {
    if (rename.kind !== 'video' || !isFramingSlot(rename.slot)) continue;
    const target = voiceOverPath(rename.language, rename.slot, rename.variant);
    if (targets.has(target)) continue;
    extractions.push({
      source: rename.source,
      target,
      slot: rename.slot,
      variant: rename.variant,
      language: rename.language,
    });
  }
  return extractions.sort((a, b) => (a.target < b.target ? -1 : 1));
}

/** Sides with rep files (videos or voice-over), in manifest order. */
function repSides(renames: readonly PlannedRename[]): Side[] {
  const slots = new Set(renames.map((rename) => rename.slot));
  return SIDES.filter((side) => slots.has(`rep-${side}`));
}

/** Languages of the delivered and extracted voice-overs, sorted. */
function voiceOverLanguages(
  renames: readonly PlannedRename[],
  extractions: readonly PlannedExtraction[],
): string[] {
  return [
    ...new Set([
      ...renames.filter((rename) => rename.kind === 'voice-over').map((rename) => rename.language),
      ...extractions.map((extraction) => extraction.language),
    ]),
  ].sort();
}
