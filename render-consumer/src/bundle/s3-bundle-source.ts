import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { exercisePrefix, parseBundleKey } from '@exercise-pipeline/shared';
import type { BundleObject, BundleSource } from '../compose/bundle-source.js';
import type { DownloadCache } from './download-cache.js';

/** One object of a bundle as S3 lists it, keyed relative to the exercise prefix. */
export interface S3BundleObject extends BundleObject {
  lastModified: Date;
}

export class BundleObjectError extends Error {
  readonly code = 'BUNDLE_OBJECT_UNREADABLE';
  constructor(
    readonly s3Key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BundleObjectError';
  }
}

/** One object under an exercise's prefix, whatever its name. */
export interface PrefixObject {
  /** The full S3 key. */
  key: string;
  size: number;
  /** Without quotes. */
  etag: string;
  lastModified: Date;
}

/**
 * Lists every object under `s3://{bucket}/{slug}/` (all pages), with full keys: what the bundle
 * fingerprint is computed over, exactly as the agent computes it after a sync.
 */
export async function listPrefixObjects(s3: S3Client, bucket: string, slug: string): Promise<PrefixObject[]> {
  const prefix = exercisePrefix(slug);
  const objects: PrefixObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) {
      if (!item.Key || item.Size === undefined) continue;
      objects.push({
        key: item.Key,
        size: item.Size,
        etag: (item.ETag ?? '').replaceAll('"', ''),
        lastModified: item.LastModified ?? new Date(0),
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/**
 * The bundle files under an exercise's prefix, keyed relative to it. Keys outside the bundle layout
 * are left out: they are not the pipeline's and must not change what a render uses.
 */
export async function listBundleObjects(
  s3: S3Client,
  bucket: string,
  slug: string,
): Promise<S3BundleObject[]> {
  const prefix = exercisePrefix(slug);
  return (await listPrefixObjects(s3, bucket, slug))
    .map((object) => ({ ...object, key: object.key.slice(prefix.length) }))
    .filter((object) => parseBundleKey(object.key) !== null)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export interface S3BundleSourceOptions {
  s3: S3Client;
  bucket: string;
  slug: string;
  cache: DownloadCache;
}

/**
 * A bundle read from S3 through the download cache: read-only by design (it only lists and gets).
 * The listing is taken once, so every file of one render comes from the same bundle state.
 */
export class S3BundleSource implements BundleSource {
  #objects: Promise<S3BundleObject[]> | undefined;
  /** User metadata that came with a download, so asking for it after one costs no request. */
  readonly #downloadedMetadata = new Map<string, Record<string, string>>();

  readonly #options: S3BundleSourceOptions;

  constructor(options: S3BundleSourceOptions) {
    this.#options = options;
  }

  list(): Promise<S3BundleObject[]> {
    this.#objects ??= listBundleObjects(this.#options.s3, this.#options.bucket, this.#options.slug);
    return this.#objects;
  }

  /** The full S3 key, for messages. */
  describe(relativeKey: string): string {
    return `s3://${this.#options.bucket}/${exercisePrefix(this.#options.slug)}${relativeKey}`;
  }

  async localPath(relativeKey: string): Promise<string> {
    const object = await this.#listed(relativeKey);
    const { s3, bucket, cache } = this.#options;
    const key = `${exercisePrefix(this.#options.slug)}${relativeKey}`;
    try {
      return await cache.get(bucket, key, object.etag, async () => {
        const response = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: `"${object.etag}"` }),
        );
        this.#downloadedMetadata.set(relativeKey, response.Metadata ?? {});
        return response.Body as Readable;
      });
    } catch (error) {
      throw new BundleObjectError(
        this.describe(relativeKey),
        `could not download ${this.describe(relativeKey)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /**
   * The user metadata of the listed version (HeadObject with `If-Match`, so a newer version fails
   * rather than describing other bytes); none of it is trusted by the caller.
   */
  async metadata(relativeKey: string): Promise<Readonly<Record<string, string>>> {
    const downloaded = this.#downloadedMetadata.get(relativeKey);
    if (downloaded) return downloaded;
    const object = await this.#listed(relativeKey);
    const { s3, bucket } = this.#options;
    const key = `${exercisePrefix(this.#options.slug)}${relativeKey}`;
    try {
      const response = await s3.send(
        new HeadObjectCommand({ Bucket: bucket, Key: key, IfMatch: `"${object.etag}"` }),
      );
      return response.Metadata ?? {};
    } catch (error) {
      throw new BundleObjectError(
        this.describe(relativeKey),
        `could not read the metadata of ${this.describe(relativeKey)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  async #listed(relativeKey: string): Promise<S3BundleObject> {
    const object = (await this.list()).find((item) => item.key === relativeKey);
    if (!object) {
      throw new BundleObjectError(
        this.describe(relativeKey),
        `${this.describe(relativeKey)} is missing from the bundle`,
      );
    }
    return object;
  }

  async readManifest(): Promise<string> {
    return readFile(await this.localPath('manifest.json'), 'utf8');
  }
}
