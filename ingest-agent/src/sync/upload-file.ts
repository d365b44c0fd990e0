import { abortable } from '@exercise-pipeline/shared';
import { createReadStream, type ReadStream } from 'node:fs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { SyncVerifyError } from './errors.js';
import { headObject, SHA256_METADATA_KEY } from './s3-objects.js';

export interface UploadFileInput {
  bucket: string;
  key: string;
  /** Absolute local path. */
  path: string;
  size: number;
  sha256: string;
  contentType: string;
  /** Further user metadata (a voice-over's loudness); the sha256 key is always the agent's own. */
  metadata?: Record<string, string>;
  /** Files at or above this size go multipart. */
  multipartThresholdBytes: number;
  partSizeBytes: number;
  /** Parts of one file in flight at once. */
  partConcurrency: number;
  signal?: AbortSignal | undefined;
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

/** S3 names the sha256 it checks `x-amz-checksum-sha256`: the same digest as the metadata, in base64. */
export function checksumOf(sha256Hex: string): string {
  return Buffer.from(sha256Hex, 'hex').toString('base64');
}

/** S3's answer when the bytes that arrived do not hash to the checksum sent with them. */
function isChecksumMismatch(error: unknown): boolean {
  const { name, message } = error as { name?: unknown; message?: unknown };
  return name === 'BadDigest' || (name === 'InvalidRequest' && /checksum/i.test(String(message)));
}

async function putSingle(s3: S3Client, input: UploadFileInput, common: ObjectHeaders): Promise<void> {
  const body = openBody(input.path);
  try {
    // The explicit value is sent as is, also with the WHEN_REQUIRED setting used for emulators,
    // and S3 refuses the object unless the bytes it received hash to it.
    const command = new PutObjectCommand({
      ...common,
      Body: body,
      ContentLength: input.size,
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: checksumOf(input.sha256),
    });
    await s3.send(command, abortable(input.signal));
  } catch (error) {
    if (!isChecksumMismatch(error)) throw error;
    throw new SyncVerifyError(
      input.bucket,
      input.key,
      'S3 received bytes whose sha256 differs from the local file (the file changed while it was read, or the disk or network damaged it)',
    );
  } finally {
    body.destroy();
  }
  input.onBytes?.(input.size);
}

async function putMultipart(s3: S3Client, input: UploadFileInput, common: ObjectHeaders): Promise<void> {
  const body = openBody(input.path);
  const upload = new Upload({
    client: s3,
    // One sha256 of the whole file cannot be checked part by part: the SDK computes each part's
    // sha256, S3 verifies every part and lib-storage lists them in the completion.
    params: { ...common, Body: body, ContentLength: input.size, ChecksumAlgorithm: 'SHA256' },
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
 * Uploads one file with its sha256 in the object metadata and as the checksum S3 verifies on
 * arrival (per part for multipart), with SSE-S3, then reads the object back with HeadObject: the
 * upload only counts when the bucket reports the local size and hash.
 */
export async function uploadFile(s3: S3Client, input: UploadFileInput): Promise<UploadedObject> {
  const common: ObjectHeaders = {
    Bucket: input.bucket,
    Key: input.key,
    ContentType: input.contentType,
    Metadata: { ...input.metadata, [SHA256_METADATA_KEY]: input.sha256 },
    ServerSideEncryption: 'AES256',
  };
  const multipart = input.size >= input.multipartThresholdBytes;
  if (multipart) await putMultipart(s3, input, common);
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
  if (!multipart && head.checksumSha256 !== undefined && head.checksumSha256 !== checksumOf(input.sha256)) {
    throw new SyncVerifyError(
      input.bucket,
      input.key,
      `S3's checksum is ${head.checksumSha256}, expected ${checksumOf(input.sha256)}`,
    );
  }
  return { etag: head.etag };
}
