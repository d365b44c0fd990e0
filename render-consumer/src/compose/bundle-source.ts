import { assertManifest, discoverVariants, type Manifest, type Variants } from '@exercise-pipeline/shared';

/** One file of a bundle, keyed relative to the bundle root (`intro-video-1.mp4`, `audio/ro/intro-vo-1.mp3`). */
export interface BundleObject {
  key: string;
  size: number;
  /**
   * Identifies the file's content: the S3 ETag, or a size+mtime tag for local files. Probe results
   * are cached under it, so it must change whenever the content does.
   */
  etag: string;
}

/**
 * Where a render reads an exercise's bundle from: a local convention directory, or the S3 prefix
 * through a download cache. The composer only ever hands ffmpeg the paths `localPath` returns.
 */
export interface BundleSource {
  /** Every file of the bundle (recursively), keys relative to the bundle root. */
  list(): Promise<BundleObject[]>;
  /** The text of `manifest.json`; rejects with an error naming `describe('manifest.json')` when absent. */
  readManifest(): Promise<string>;
  /** A readable local file holding `relativeKey` (for S3: downloaded into the cache first). */
  localPath(relativeKey: string): Promise<string>;
  /** How messages name the file: the S3 key (`squat/intro-video-1.mp4`) or the local path. */
  describe(relativeKey: string): string;
  /**
   * The object's user metadata (S3 `x-amz-meta-*`, names lower-case without the prefix), of the
   * version `localPath` returns; absent for sources that have none (a local directory). Untrusted.
   */
  metadata?(relativeKey: string): Promise<Readonly<Record<string, string>>>;
}

/** What a render needs to know about a bundle before touching any media. */
export interface BundleSnapshot {
  manifest: Manifest;
  variants: Variants;
  /** ETag per relative key, for the probe cache. */
  etags: ReadonlyMap<string, string>;
}

/** Reads the manifest and the file list in parallel; throws ManifestInvalidError naming the manifest file. */
export async function readBundle(source: BundleSource): Promise<BundleSnapshot> {
  const [text, objects] = await Promise.all([source.readManifest(), source.list()]);
  const manifest = assertManifest(text, source.describe('manifest.json'));
  const keys = objects.map((object) => object.key);
  return {
    manifest,
    variants: discoverVariants(keys),
    etags: new Map(objects.map((object) => [object.key, object.etag])),
  };
}
