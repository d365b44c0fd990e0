/**
 * The naming the filming team delivers, as rename rules. Rules are tested against the
 * normalized file name (lowercase, diacritics removed), so they are written in that form.
 *
 *   001 Detensionari Lombare - Intro.mp4     → intro-video-1.mp4
 *   001 Detensionari Lombare 5 Stanga.mp4    → rep-left-video-1.mp4
 *   001 Detensionari Lombare 1-20 Stanga.mp3 → audio/ro/rep-left-vo-1.mp3
 *   001 Detensionari Lombare - Intro v2.mp4  → intro-video-2.mp4 (also `Intro (2).mp4`)
 *
 * The slot word must be the last word before the variant marker and the extension, so a
 * title that happens to contain "intro" or "stanga" elsewhere does not decide the slot.
 * The extension decides the kind: video containers for videos, audio containers for voice-over;
 * which containers are accepted as-is is a separate setting (`allowedContainers`).
 */

/** A trailing ` v2` or ` (2)` marks variant 2; without it the variant is 1. */
const VARIANT_SUFFIX = String.raw`(?:(?:\s+v|\s*\()(?<variant>\d+)\)?)?`;
const VIDEO_EXTENSIONS = String.raw`\.(?:mp4|mov|m4v|mkv|avi|mxf)$`;
const AUDIO_EXTENSIONS = String.raw`\.(?:mp3|wav|m4a|aac|flac)$`;
/** The slot word starts the name or follows a non-letter (space, hyphen, digit). */
const WORD_START = '(?:^|[^a-z])';

const SLOT_WORDS = [
  { slot: 'intro', words: 'intro' },
  { slot: 'pauza', words: 'pauza|pause' },
  { slot: 'outro', words: 'outro' },
  { slot: 'rep-left', words: 'stanga|left' },
  { slot: 'rep-right', words: 'dreapta|right' },
] as const;

export interface DefaultRule {
  description: string;
  match: string;
  slot: (typeof SLOT_WORDS)[number]['slot'];
  kind: 'video' | 'voice-over';
}

export const DEFAULT_RULES: readonly DefaultRule[] = SLOT_WORDS.flatMap(({ slot, words }) => [
  {
    description: `${slot} video`,
    match: `${WORD_START}(?:${words})${VARIANT_SUFFIX}${VIDEO_EXTENSIONS}`,
    slot,
    kind: 'video' as const,
  },
  {
    description: `${slot} voice-over`,
    match: `${WORD_START}(?:${words})${VARIANT_SUFFIX}${AUDIO_EXTENSIONS}`,
    slot,
    kind: 'voice-over' as const,
  },
]);

/**
 * Files the agent never treats as part of a delivery. Each glob is tested against every
 * segment of a file's relative path, so a junk folder (`.Trashes/`) hides its whole content.
 */
export const DEFAULT_JUNK: readonly string[] = [
  '.DS_Store',
  'Thumbs.db',
  'desktop.ini',
  '._*',
  '*.tmp',
  '*.part',
  '.*',
];
