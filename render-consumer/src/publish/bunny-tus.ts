import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Upload } from 'tus-js-client';
import { redact } from './bunny-http.js';
import { BunnyApiError } from './errors.js';
import type { PublishLogger } from './publisher.js';

/**
 * Bunny Stream's resumable upload: the tus protocol at `{apiUrl}/tusupload`, authorised per video by
 * a signature of the library id, API key, expiry (UNIX seconds) and video id. A dropped connection
 * is resumed where the server's offset says, within the retry delays.
 */

export interface TusUploadOptions {
  apiUrl: string;
  libraryId: string;
  /** Never sent: only its signature is. */
  apiKey: string;
  videoId: string;
  filePath: string;
  title: string;
  collectionId?: string | undefined;
  thumbnailTimeMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Waits before each retry after a failed request; default 0, 1, 3, 5, 10 and 20 s. */
  retryDelaysMs?: number[];
  /** Bytes per PATCH request; a cut costs at most this much again. Default 50 MiB. */
  chunkBytes?: number;
  /** How long the upload's authorisation lasts, in seconds; default 6 h. */
  expirySeconds?: number;
  /** For tests: the clock the expiry is computed from (ms). */
  now?: () => number;
  logger?: PublishLogger | undefined;
}

const DEFAULT_TUS_RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10_000, 20_000];
const DEFAULT_CHUNK_BYTES = 50 * 1024 * 1024;
const DEFAULT_EXPIRY_SECONDS = 6 * 3600;

/** The headers Bunny's tus endpoint authorises an upload by. */
export function tusAuthorizationHeaders(
  libraryId: string,
  apiKey: string,
  videoId: string,
  expiresAtSeconds: number,
): Record<string, string> {
  const signature = createHash('sha256')
    .update(`${libraryId}${apiKey}${expiresAtSeconds}${videoId}`)
    .digest('hex');
  return {
    AuthorizationSignature: signature,
    AuthorizationExpire: String(expiresAtSeconds),
    LibraryId: libraryId,
    VideoId: videoId,
  };
}

/**
 * A dropped connection (no answer) or a server-side failure is worth resuming; a refusal (bad
 * signature, unknown video) is not. 409 and 423 are the protocol's "offset moved" and "locked".
 */
export function isRetryableTusStatus(status: number | undefined): boolean {
  return status === undefined || status >= 500 || status === 409 || status === 423 || status === 429;
}

export function uploadWithTus(options: TusUploadOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const expires = Math.floor(now() / 1000) + (options.expirySeconds ?? DEFAULT_EXPIRY_SECONDS);
  const endpoint = `${options.apiUrl.replace(/\/+$/, '')}/tusupload`;
  const metadata: Record<string, string> = { filetype: 'video/mp4', title: options.title };
  if (options.collectionId) metadata.collection = options.collectionId;
  if (options.thumbnailTimeMs !== undefined)
    metadata.thumbnailTime = String(Math.round(options.thumbnailTimeMs));

  return new Promise<void>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(options.signal.reason);
      return;
    }
    // A path-backed stream: tus-js-client re-opens the file at whatever offset a resume needs.
    const source = createReadStream(options.filePath);
    const upload = new Upload(source, {
      endpoint,
      headers: tusAuthorizationHeaders(options.libraryId, options.apiKey, options.videoId, expires),
      metadata,
      chunkSize: options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
      retryDelays: options.retryDelaysMs ?? DEFAULT_TUS_RETRY_DELAYS_MS,
      // Resuming across processes is not needed: a new consumer makes a new video.
      storeFingerprintForResuming: false,
      onShouldRetry: (error, attempt) => {
        const status = error.originalResponse?.getStatus();
        if (options.signal?.aborted || !isRetryableTusStatus(status)) return false;
        options.logger?.warn(
          {
            videoId: options.videoId,
            attempt: attempt + 1,
            status,
            reason: redact(error.message, options.apiKey),
          },
          'bunny resumable upload interrupted; resuming from the offset Bunny has',
        );
        return true;
      },
      onSuccess: () => {
        options.signal?.removeEventListener('abort', onAbort);
        source.destroy();
        resolve();
      },
      onError: (error) => {
        options.signal?.removeEventListener('abort', onAbort);
        source.destroy();
        if (options.signal?.aborted) {
          reject(options.signal.reason);
          return;
        }
        reject(
          new BunnyApiError(
            redact(
              `Bunny Stream resumable upload of ${options.filePath} to video ${options.videoId} (${endpoint}) failed: ${error.message} — check BUNNY_STREAM_API_URL and the API key; the upload resumes on the next attempt`,
              options.apiKey,
            ),
            { operation: 'uploadVideoResumable', retryable: true, cause: error },
          ),
        );
      },
    });
    const onAbort = () => {
      void upload.abort(false).finally(() => {
        source.destroy();
        reject(options.signal?.reason);
      });
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    upload.start();
  });
}
