import { describeValue, isValidSlug, MAX_SLUG_LENGTH } from '@exercise-pipeline/shared';
import { stripDiacritics } from '../rules/normalize-name.js';
import { type RefusalReason, refusal } from './refusal.js';

/** Letters that carry no combining mark, so decomposition alone would drop them. */
const LETTER_FOLDS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
};

/**
 * A folder name as an exercise slug: diacritics removed, lowercase, every run of other
 * characters turned into one hyphen, and a leading catalogue number (`001 `, `001 - `,
 * `001_`) dropped. `001 Detensionări Lombare` → `detensionari-lombare`. May return a string
 * that is not a valid slug (empty, too long to trim cleanly); callers check with isValidSlug.
 */
export function slugify(folderName: string): string {
  const folded = stripDiacritics(folderName)
    .toLowerCase()
    .replace(/[ßæœøłđðþ]/g, (letter) => LETTER_FOLDS[letter] ?? letter);
  // Only a number set apart from more name is a catalogue number: `2024` alone and `90-90 stretch` stay.
  const withoutNumber = folded.replace(/^\s*\d+(?:\s*[-.)]\s+|\s+|_)(?=.*[a-z0-9])/, '');
  const hyphenated = withoutNumber.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return hyphenated.slice(0, MAX_SLUG_LENGTH).replace(/-+$/, '');
}

export type SlugSource = 'manifest' | 'config' | 'folder';

export type SlugResolution =
  | { ok: true; slug: string; source: SlugSource }
  | { ok: false; reason: RefusalReason };

export interface ResolveSlugInput {
  /** The `exercise` field of a delivered manifest.json, as parsed (any JSON value); undefined when absent. */
  manifestExercise?: unknown;
  /** The delivery folder's own name (not a path). */
  folderName: string;
  /** The config's folder name → slug map. */
  folderSlugs: Readonly<Record<string, string>>;
}

function lookupFolder(folderSlugs: Readonly<Record<string, string>>, folderName: string): string | undefined {
  if (Object.hasOwn(folderSlugs, folderName)) return folderSlugs[folderName];
  // A folder copied from a Mac arrives decomposed while the config was typed composed.
  const wanted = folderName.normalize('NFC');
  const key = Object.keys(folderSlugs).find((candidate) => candidate.normalize('NFC') === wanted);
  return key === undefined ? undefined : folderSlugs[key];
}

/**
 * The exercise a delivery belongs to: the manifest's `exercise` when given, else the config's
 * mapping for the folder, else the folder name slugified. The first source that speaks decides;
 * an invalid value there refuses the delivery instead of falling through, so a typo in a manifest
 * never uploads into a different exercise. Rejecting anything outside the slug rule also rejects
 * `../` and `/`, which keeps the slug safe as an S3 prefix.
 */
export function resolveSlug(input: ResolveSlugInput): SlugResolution {
  if (input.manifestExercise !== undefined) {
    if (isValidSlug(input.manifestExercise))
      return { ok: true, slug: input.manifestExercise, source: 'manifest' };
    return {
      ok: false,
      reason: refusal(
        'manifestExerciseInvalid',
        { value: describeValue(input.manifestExercise), max: MAX_SLUG_LENGTH },
        'manifest.json',
      ),
    };
  }
  const mapped = lookupFolder(input.folderSlugs, input.folderName);
  if (mapped !== undefined) {
    if (isValidSlug(mapped)) return { ok: true, slug: mapped, source: 'config' };
    return {
      ok: false,
      reason: refusal('folderSlugInvalid', {
        folder: describeValue(input.folderName),
        value: describeValue(mapped),
      }),
    };
  }
  const slug = slugify(input.folderName);
  if (isValidSlug(slug)) return { ok: true, slug, source: 'folder' };
  return {
    ok: false,
    reason: refusal('folderNameNoSlug', { folder: describeValue(input.folderName) }),
  };
}
