import { createReadStream, type ReadStream } from 'node:fs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { SyncVerifyError } from './errors.js';
import { headObject, SHA256_METADATA_KEY } from './s3Objects.js';

export interface UploadFileInput {
  bucket: string;
  key: string;
  /** Absolute local path. */
  path: string;
  size: number;
  sha256: string;
  contentType: string;
  /** Files at or above this size go multipart. */
  multipartThresholdBytes: number;
  partSizeBytes: number;
  /** Parts of one file in flight at once. */
  partConcurrency: number;
  signal?: AbortSignal;
  /** Bytes of this file confirmed so far (per part for multipart, once for a single PUT). */
  onBytes?: (loaded: number) => void;
}

export interface UploadedObject {
  etag: string;
}

/** Reads a file in 1 MiB chunks: fewer syscalls and fewer, larger socket writes than the 64 KiB default. */
function openBody(path: string): ReadStream {
  return createReadStream(path, { highWaterMark: 1 << 20 });
}

async function putSingle(s3: S3Client, input: UploadFileInput, common: ObjectHeaders): Promise<void> {
  const body = openBody(input.path);
  try {
    await s3.send(new PutObjectCommand({ ...common, Body: body, ContentLength: input.size }), {
      abortSignal: input.signal,
    });
  } finally {
    body.destroy();
  }
  input.onBytes?.(input.size);
}

async function putMultipart(s3: S3Client, input: UploadFileInput, common: ObjectHeaders): Promise<void> {
  const body = openBody(input.path);
  const upload = new Upload({
    client: s3,
    params: { ...common, Body: body, ContentLength: input.size },
    partSize: input.partSizeBytes,
    queueSize: input.partConcurrency,
    leavePartsOnError: false,
  });
  upload.on('httpUploadProgress', (progress) => {
    if (typeof progress.loaded === 'number') input.onBytes?.(progress.loaded);
  });
  const onAbort = () => {
    void upload.abort();
  };
  input.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await upload.done();
  } finally {
    input.signal?.removeEventListener('abort', onAbort);
    body.destroy();
  }
}

interface ObjectHeaders {
  Bucket: string;
  Key: string;
  ContentType: string;
  Metadata: Record<string, string>;
  ServerSideEncryption: 'AES256';
}

/**
 * Uploads one file with its sha256 in the object metadata and SSE-S3, then reads the object back
 * with HeadObject: the upload only counts when the bucket reports the local size and hash.
 */
export async function uploadFile(s3: S3Client, input: UploadFileInput): Promise<UploadedObject> {
  const common: ObjectHeaders = {
    Bucket: input.bucket,
    Key: input.key,
    ContentType: input.contentType,
    Metadata: { [SHA256_METADATA_KEY]: input.sha256 },
    ServerSideEncryption: 'AES256',
  };
  if (input.size >= input.multipartThresholdBytes) await putMultipart(s3, input, common);
  else await putSingle(s3, input, common);

  const head = await headObject(s3, input.bucket, input.key, input.signal);
  if (head === null) throw new SyncVerifyError(input.bucket, input.key, 'the object is missing');
  if (head.size !== input.size) {
    throw new SyncVerifyError(
      input.bucket,
      input.key,
      `the size is ${head.size} bytes, expected ${input.size}`,
    );
  }
  if (head.sha256 !== input.sha256) {
    throw new SyncVerifyError(
      input.bucket,
      input.key,
      `the stored ${SHA256_METADATA_KEY} is ${head.sha256 ?? 'absent'}, expected ${input.sha256}`,
    );
  }
  return { etag: head.etag };
}
