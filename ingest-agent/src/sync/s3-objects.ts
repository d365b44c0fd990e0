import {
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { abortable, PipelineError } from '@exercise-pipeline/shared';

/** User metadata key (sent as `x-amz-meta-content-sha256`) holding the hex sha256 the agent uploaded. */
export const SHA256_METADATA_KEY = 'content-sha256';

/** DeleteObjects accepts at most this many keys per call. */
const DELETE_BATCH = 1000;

export interface ListedObject {
  key: string;
  size: number;
  /** Without the surrounding quotes S3 puts around it. */
  etag: string;
}

export interface HeadResult {
  size: number;
  etag: string;
  sha256: string | undefined;
  /**
   * The checksum S3 keeps itself (`x-amz-checksum-sha256`, base64): for a single PUT the sha256 of
   * the whole object, which S3 verified on arrival; for a multipart upload a checksum of the part
   * checksums, ending in `-<parts>`. Absent for objects uploaded without one.
   */
  checksumSha256: string | undefined;
  contentType: string | undefined;
  serverSideEncryption: string | undefined;
}

export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replaceAll('"', '');
}

/** Every object under `prefix` (all pages of ListObjectsV2). */
export async function listObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: continuationToken }),
      abortable(signal),
    );
    for (const item of page.Contents ?? []) {
      if (item.Key === undefined) continue;
      objects.push({ key: item.Key, size: item.Size ?? 0, etag: bareEtag(item.ETag) });
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken !== undefined);
  return objects;
}

function isNotFound(error: unknown): boolean {
  const candidate = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    candidate.name === 'NotFound' ||
    candidate.name === 'NoSuchKey' ||
    candidate.$metadata?.httpStatusCode === 404
  );
}

/** The object's size, ETag, stored sha256 and S3's own checksum; `null` when it does not exist. */
export async function headObject(
  s3: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<HeadResult | null> {
  try {
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
      abortable(signal),
    );
    return {
      size: head.ContentLength ?? 0,
      etag: bareEtag(head.ETag),
      sha256: head.Metadata?.[SHA256_METADATA_KEY],
      checksumSha256: head.ChecksumSHA256,
      contentType: head.ContentType,
      serverSideEncryption: head.ServerSideEncryption,
    };
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Deletes keys in batches; a key S3 refuses to delete fails the call, naming it. */
export async function deleteObjects(
  s3: S3Client,
  bucket: string,
  keys: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  for (let start = 0; start < keys.length; start += DELETE_BATCH) {
    const batch = keys.slice(start, start + DELETE_BATCH);
    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }),
      abortable(signal),
    );
    const failed = result.Errors ?? [];
    if (failed.length > 0) {
      const detail = failed
        .map((item) => `${item.Key}: ${item.Code} ${item.Message ?? ''}`.trim())
        .join('; ');
      const transient = failed.every((item) =>
        /^(InternalError|SlowDown|ServiceUnavailable)$/.test(item.Code ?? ''),
      );
      throw new PipelineError(
        `s3://${bucket}: could not delete ${failed.length} object(s) while pruning: ${detail}; check the agent's s3:DeleteObject permission`,
        { code: 'PRUNE_FAILED', retryable: transient },
      );
    }
  }
}
