import { InvalidKeyPartError } from './errors.js';
import { isSlot, SLOTS, type Slot } from './types.js';

/** Exercise slugs: lowercase words joined by single hyphens; safe as an S3 prefix and a URL segment. */
export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const MAX_SLUG_LENGTH = 63;

/** A BCP 47 subset: language (`ro`), optional script (`zh-Hant`), optional region (`pt-BR`, `es-419`). */
export const LANGUAGE_PATTERN = /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$/;

/**
 * Variant numbers as written in file names: no sign, no leading zero, so `intro-video-1.mp4` and
 * `intro-video-01.mp4` can never both claim variant 1.
 */
const VARIANT_PATTERN = '[1-9][0-9]{0,5}';
export const MAX_VARIANT = 999_999;

const SLUG_EXPECTED = `lowercase letters and digits in words joined by single hyphens (${SLUG_PATTERN.source}), at most ${MAX_SLUG_LENGTH} characters`;
const LANGUAGE_EXPECTED = 'a language code such as "ro", "en" or "pt-BR"';
const SLOT_EXPECTED = `one of ${SLOTS.join(', ')}`;
const VARIANT_EXPECTED = `a whole number from 1 to ${MAX_VARIANT}`;

export type BundleFile =
  | { kind: 'manifest' }
  | { kind: 'video'; slot: Slot; variant: number; ext: 'mp4' }
  | { kind: 'voice-over'; language: string; slot: Slot; variant: number; ext: 'mp3' };

/** Variant numbers found per slot, ascending; a slot without files is absent (or an empty list). */
export interface Variants {
  video: Partial<Record<Slot, number[]>>;
  /** Keyed by language. */
  voiceOver: Record<string, Partial<Record<Slot, number[]>>>;
}

export function isValidSlug(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_SLUG_LENGTH && SLUG_PATTERN.test(value);
}

export function isValidLanguage(value: unknown): value is string {
  return typeof value === 'string' && LANGUAGE_PATTERN.test(value);
}

export function isValidVariant(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_VARIANT;
}

export function assertSlug(value: unknown): asserts value is string {
  if (!isValidSlug(value)) throw new InvalidKeyPartError('slug', value, SLUG_EXPECTED);
}

export function assertLanguage(value: unknown): asserts value is string {
  if (!isValidLanguage(value)) throw new InvalidKeyPartError('language', value, LANGUAGE_EXPECTED);
}

export function assertSlot(value: unknown): asserts value is Slot {
  if (!isSlot(value)) throw new InvalidKeyPartError('slot', value, SLOT_EXPECTED);
}

export function assertVariant(value: unknown): asserts value is number {
  if (!isValidVariant(value)) throw new InvalidKeyPartError('variant', value, VARIANT_EXPECTED);
}

// Longest names first so `rep-bilateral` is never read as a shorter slot plus junk.
const SLOT_ALTERNATION = [...SLOTS].sort((a, b) => b.length - a.length).join('|');
const VIDEO_FILE_RE = new RegExp(`^(${SLOT_ALTERNATION})-video-(${VARIANT_PATTERN})\\.mp4$`);
const VOICE_OVER_FILE_RE = new RegExp(`^(${SLOT_ALTERNATION})-vo-(${VARIANT_PATTERN})\\.mp3$`);

/**
 * Classifies a key relative to the exercise prefix (`manifest.json`, `intro-video-2.mp4`,
 * `audio/ro/rep-left-vo-1.mp3`). Anything else, including case variants and stray files, is null:
 * junk in a bundle is ignored, never fatal.
 */
export function parseBundleKey(relativeKey: string): BundleFile | null {
  if (relativeKey === 'manifest.json') return { kind: 'manifest' };
  const parts = relativeKey.split('/');
  if (parts.length === 1) {
    const match = VIDEO_FILE_RE.exec(relativeKey);
    if (!match || !isSlot(match[1])) return null;
    return { kind: 'video', slot: match[1], variant: Number(match[2]), ext: 'mp4' };
  }
  if (parts.length === 3 && parts[0] === 'audio' && isValidLanguage(parts[1])) {
    const match = VOICE_OVER_FILE_RE.exec(parts[2] ?? '');
    if (!match || !isSlot(match[1])) return null;
    return { kind: 'voice-over', language: parts[1], slot: match[1], variant: Number(match[2]), ext: 'mp3' };
  }
  return null;
}

function addVariant(pools: Partial<Record<Slot, number[]>>, slot: Slot, variant: number): void {
  const pool = pools[slot] ?? [];
  if (!pool.includes(variant)) pool.push(variant);
  pools[slot] = pool;
}

/**
 * The variants a bundle offers, from its relative keys. A missing file only narrows that slot's
 * pool (variants need not be contiguous); keys that are not bundle files are ignored.
 */
export function discoverVariants(relativeKeys: Iterable<string>): Variants {
  const variants: Variants = { video: {}, voiceOver: {} };
  for (const key of relativeKeys) {
    const file = parseBundleKey(key);
    if (file?.kind === 'video') addVariant(variants.video, file.slot, file.variant);
    if (file?.kind === 'voice-over') {
      variants.voiceOver[file.language] ??= {};
      addVariant(variants.voiceOver[file.language]!, file.slot, file.variant);
    }
  }
  const sortPools = (pools: Partial<Record<Slot, number[]>>) => {
    for (const pool of Object.values(pools)) pool?.sort((a, b) => a - b);
  };
  sortPools(variants.video);
  for (const pools of Object.values(variants.voiceOver)) sortPools(pools);
  return variants;
}

/** `{slug}/`: every key of one exercise's bundle starts with this. */
export function exercisePrefix(slug: string): string {
  assertSlug(slug);
  return `${slug}/`;
}

export function manifestKey(slug: string): string {
  return `${exercisePrefix(slug)}manifest.json`;
}

/** `{slot}-video-{n}.mp4`, the file name inside a bundle. */
export function videoFileName(slot: Slot, n: number): string {
  assertSlot(slot);
  assertVariant(n);
  return `${slot}-video-${n}.mp4`;
}

/** `audio/{language}/{slot}-vo-{n}.mp3`, relative to the bundle root. */
export function voiceOverPath(language: string, slot: Slot, n: number): string {
  assertLanguage(language);
  assertSlot(slot);
  assertVariant(n);
  return `audio/${language}/${slot}-vo-${n}.mp3`;
}

export function videoKey(slug: string, slot: Slot, n: number): string {
  return `${exercisePrefix(slug)}${videoFileName(slot, n)}`;
}

export function voiceOverKey(slug: string, language: string, slot: Slot, n: number): string {
  return `${exercisePrefix(slug)}${voiceOverPath(language, slot, n)}`;
}

/**
 * Splits a bucket key into the exercise slug and the key inside the bundle; null when the first
 * segment is not a valid slug or nothing follows it (objects outside any bundle).
 */
export function splitBundleKey(fullKey: string): { slug: string; relative: string } | null {
  const slash = fullKey.indexOf('/');
  if (slash <= 0) return null;
  const slug = fullKey.slice(0, slash);
  const relative = fullKey.slice(slash + 1);
  if (!isValidSlug(slug) || relative === '') return null;
  return { slug, relative };
}
