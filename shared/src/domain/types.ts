/**
 * Shared vocabulary of the exercise content pipeline.
 *
 * Glossary
 * - delivery: one folder the filming team drops into the share for one exercise, in whatever
 *   naming the team used. The ingest agent waits until it is complete, then accepts or refuses it.
 * - bundle: an exercise's files in the platform's convention under `{exercise-slug}/` (in the
 *   assets bucket or a local directory): `manifest.json`, the videos and the per-language voice-over.
 * - slot: a position in a rendered video that one clip fills: the framing slots `intro`, `pauza`
 *   (between sets), `outro`, and one rep slot per side (`rep-left`, `rep-right`, `rep-bilateral`).
 * - variant: one of several interchangeable takes of a slot, numbered `n` in its file name
 *   (`{slot}-video-{n}.mp4`, `audio/{lang}/{slot}-vo-{n}.mp3`); renders rotate between them.
 * - recipe: a prescription to render: exercise, language, sets of `{side, reps}` and a seed.
 * - render: one composed video of a recipe at one asset version, cached by recipe hash,
 *   language and asset version.
 * - asset version: a counter per exercise, bumped whenever the bundle's media really changed;
 *   renders of an older asset version are stale.
 * - fingerprint: a digest of the bundle's content; an unchanged fingerprint means an event
 *   (re-upload, duplicate delivery) needs no new renders.
 */

export const FRAMING_SLOTS = ['intro', 'pauza', 'outro'] as const;
export type FramingSlot = (typeof FRAMING_SLOTS)[number];

/** `bilateral` is for exercises filmed once for both sides. */
export const SIDES = ['left', 'right', 'bilateral'] as const;
export type Side = (typeof SIDES)[number];

export type RepSlot = `rep-${Side}`;
export type Slot = FramingSlot | RepSlot;

export function repSlot(side: Side): RepSlot {
  return `rep-${side}`;
}

export const REP_SLOTS: readonly RepSlot[] = SIDES.map(repSlot);

/** Every slot a bundle may hold, framing first. */
export const SLOTS: readonly Slot[] = [...FRAMING_SLOTS, ...REP_SLOTS];

export function isSlot(value: unknown): value is Slot {
  return typeof value === 'string' && (SLOTS as readonly string[]).includes(value);
}

export function isSide(value: unknown): value is Side {
  return typeof value === 'string' && (SIDES as readonly string[]).includes(value);
}
