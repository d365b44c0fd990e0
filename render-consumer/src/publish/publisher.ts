/**
 * What the queue consumer and the compose API need from a publish target. A target takes a
 * finished render (an mp4 on local disk) and makes it playable; the catalog stores the returned
 * `videoId` and `playbackUrl`, and later asks for the state or removes superseded renders.
 */

/** One finished render to publish. */
export interface PublishInput {
  /** Absolute or working-directory-relative path of the rendered mp4. */
  filePath: string;
  /** Exercise slug; Bunny groups videos in a collection of this name. */
  exercise: string;
  language: string;
  /** Hash of the canonical recipe, or `_imported` for a duration-based import. */
  recipeHash: string;
  assetVersion: number;
  durationSeconds: number;
  /** Aborts an upload in progress (process shutdown); the publish then rejects with the reason. */
  signal?: AbortSignal;
  /**
   * Where the library's thumbnail is taken, in milliseconds from the start (Bunny's
   * `thumbnailTime`); absent → the target's default (Bunny: the first frame).
   */
  thumbnailTimeMs?: number;
  /**
   * Called with the target's video id once it exists and before any bytes are sent, so the caller
   * can record it: a process that dies mid-upload then leaves an id the next one can delete.
   */
  onVideoCreated?: (videoId: string) => Promise<void>;
}

export interface PublishResult {
  /** The target's own id: a Bunny video guid, or the local media directory name. */
  videoId: string;
  /** HLS playlist URL: absolute for Bunny, a server-relative path for the local target. */
  playbackUrl: string;
  /**
   * `ready`: playable now (local files). `processing`: the target has the bytes and still has to
   * make them playable (Bunny transcodes); ask `status()` or wait for its webhook.
   */
  state: 'ready' | 'processing';
}

/**
 * - `processing`: accepted, not playable yet (Bunny transcodes for tens of seconds).
 * - `ready`: playable.
 * - `failed`: the target gave up on this video; publish again.
 * - `missing`: the target does not know the id (deleted, or never published there).
 */
export type PublishedState = 'processing' | 'ready' | 'failed' | 'missing';

export interface PublishedStatus {
  state: PublishedState;
  /** How far the target got making it playable, 0-100, when it says. */
  progress?: number;
  /** Why it failed, in the target's words, when it says. */
  message?: string;
  /** The target's own answer (Bunny VideoModel, local file facts), for status pages and logs. */
  raw?: unknown;
}

export interface DeleteResult {
  /** false when the video was already gone; a repeated delete is therefore harmless. */
  deleted: boolean;
}

export interface Publisher {
  /** `local` or `bunny`, for logs and the status page. */
  readonly target: PublishTarget;
  publish(input: PublishInput): Promise<PublishResult>;
  status(videoId: string): Promise<PublishedStatus>;
  delete(videoId: string): Promise<DeleteResult>;
}

export type PublishTarget = 'local' | 'bunny';

/** The few logger methods publishers use; a pino logger fits. Never pass secrets in `fields`. */
export interface PublishLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}
