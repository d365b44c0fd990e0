import type { Slot } from '@exercise-pipeline/shared';

/**
 * The naming the filming team delivers, as keyword rules (the config's `naming`). Each slot has
 * its words; the word must be the last word of the name before an optional language marker,
 * variant marker and the extension, so a title that happens to contain "intro" or "stanga"
 * elsewhere does not decide the slot. Names are compared lowercase and without diacritics.
 *
 *   001 Detensionari Lombare - Intro.mp4     → intro-video-1.mp4
 *   001 Detensionari Lombare 5 Stanga.mp4    → rep-left-video-1.mp4
 *   001 Detensionari Lombare 1-20 Stanga.mp3 → audio/ro/rep-left-vo-1.mp3
 *   001 Detensionari Lombare - Intro v2.mp4  → intro-video-2.mp4 (also `Intro (2).mp4`)
 *
 * The extension decides the kind: video containers for videos, audio containers for voice-over;
 * which containers are accepted as-is is a separate setting (`allowedContainers`).
 */
export interface DefaultNaming {
  words: Readonly<Partial<Record<Slot, readonly string[]>>>;
  variants: readonly string[];
  languages: readonly string[];
  extensions: Readonly<Record<'video' | 'voice-over', readonly string[]>>;
}

export const DEFAULT_NAMING: DefaultNaming = {
  words: {
    intro: ['intro'],
    pauza: ['pauza', 'pause'],
    outro: ['outro'],
    'rep-left': ['stanga', 'left'],
    'rep-right': ['dreapta', 'right'],
  },
  /** ` v2` or ` (2)` after the slot word marks take 2; without it the take is 1. */
  variants: ['v{n}', '({n})'],
  /** The team's names carry no language: everything is `defaultLanguage`. */
  languages: [],
  extensions: {
    video: ['mp4', 'mov', 'm4v', 'mkv', 'avi', 'mxf'],
    'voice-over': ['mp3', 'wav', 'm4a', 'aac', 'flac'],
  },
};

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
