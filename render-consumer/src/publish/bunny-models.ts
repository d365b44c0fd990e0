import { z } from 'zod';

/**
 * The parts of Bunny Stream's answers the pipeline reads. Objects stay loose: Bunny adds fields
 * over time, and an unknown field must never turn a good answer into an error.
 */

/** Video `status` codes of the Stream API (the webhook uses a different list). */
export const BUNNY_VIDEO_STATUS = {
  created: 0,
  uploaded: 1,
  processing: 2,
  transcoding: 3,
  finished: 4,
  error: 5,
  uploadFailed: 6,
} as const;

export const bunnyVideoSchema = z.looseObject({
  videoLibraryId: z.number(),
  guid: z.string().min(1),
  title: z.string().nullish(),
  dateUploaded: z.string().nullish(),
  length: z.number().nullish(),
  status: z.number().int(),
  width: z.number().nullish(),
  height: z.number().nullish(),
  framerate: z.number().nullish(),
  storageSize: z.number().nullish(),
  encodeProgress: z.number().nullish(),
  collectionId: z.string().nullish(),
  availableResolutions: z.string().nullish(),
  thumbnailFileName: z.string().nullish(),
  hasMP4Fallback: z.boolean().nullish(),
  transcodingMessages: z.array(z.unknown()).nullish(),
});
export type BunnyVideo = z.infer<typeof bunnyVideoSchema>;

export const bunnyCollectionSchema = z.looseObject({
  videoLibraryId: z.number(),
  guid: z.string().min(1),
  name: z.string(),
  videoCount: z.number().nullish(),
  totalSize: z.number().nullish(),
});
export type BunnyCollection = z.infer<typeof bunnyCollectionSchema>;

export function bunnyPageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    totalItems: z.number().int(),
    currentPage: z.number().int(),
    itemsPerPage: z.number().int(),
    items: z.array(item),
  });
}
export interface BunnyPage<T> {
  totalItems: number;
  currentPage: number;
  itemsPerPage: number;
  items: T[];
}

/** Paging and filters shared by the video and collection lists. */
export interface BunnyListQuery {
  /** 1-based. Default 1. */
  page?: number;
  /** Default 100 (Bunny's own default). */
  itemsPerPage?: number;
  /** Bunny matches this as a substring of the title or name, so callers filter exact names themselves. */
  search?: string;
  /** Bunny's `orderBy`, e.g. `date`. */
  orderBy?: string;
}

export interface BunnyVideoListQuery extends BunnyListQuery {
  /** Collection guid. */
  collection?: string;
}

/** Uploaded and not failed: Bunny has the bytes, whether or not transcoding finished. */
export function isUploadedStatus(status: number): boolean {
  return status >= BUNNY_VIDEO_STATUS.uploaded && !isFailedStatus(status);
}

export function isFailedStatus(status: number): boolean {
  return status === BUNNY_VIDEO_STATUS.error || status === BUNNY_VIDEO_STATUS.uploadFailed;
}

/**
 * Bunny's timestamps (`dateUploaded`) are UTC but may come without a zone designator, which
 * `Date.parse` would read as local time. Undefined when absent or unreadable.
 */
export function parseBunnyDate(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
  const time = Date.parse(zoned);
  return Number.isNaN(time) ? undefined : time;
}

export interface LostCreateMatch {
  title: string;
  /** The collection the create named; '' or absent for none. */
  collectionId?: string | undefined;
  /** Earliest creation time (ms) a video of the lost attempt can have. */
  since: number;
}

/**
 * Whether `video` is what a create whose answer was lost made: the exact title (Bunny's search is a
 * substring match), the same collection, still empty, and created since the attempt began. An
 * uploaded video with the same title belongs to an earlier publish and is never taken over.
 */
export function isLostCreate(video: BunnyVideo, match: LostCreateMatch): boolean {
  const created = parseBunnyDate(video.dateUploaded);
  return (
    video.title === match.title &&
    (video.collectionId ?? '') === (match.collectionId ?? '') &&
    video.status === BUNNY_VIDEO_STATUS.created &&
    created !== undefined &&
    created >= match.since
  );
}
