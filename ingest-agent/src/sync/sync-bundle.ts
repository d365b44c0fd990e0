import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  bundleFingerprint,
  describeTransient,
  exercisePrefix,
  type Logger,
  type RetryOptions,
  runPool,
  withRetry,
} from '@exercise-pipeline/shared';
import { HashCache } from './hash-cache.js';
import { type LocalBundleFile, listBundleFiles } from './list-bundle-files.js';
import { type LocalObject, MANIFEST_KEY, planSync, type RemoteObject, type SyncPlan } from './plan-sync.js';
import {
  type BundleSyncedInput,
  publishBundleSynced,
  readManifestLanguages,
} from './publish-bundle-synced.js';
import { deleteObjects, headObject, type ListedObject, listObjects } from './s3-objects.js';
import { uploadFile } from './upload-file.js';

export interface SyncProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface SyncBundleOptions {
  s3: S3Client;
  /** Without it no "Bundle Synced" event is sent (dry runs, tests of the upload alone). */
  events?: EventBridgeClient;
  bucket: string;
  /** Exercise slug; the bundle goes to `s3://{bucket}/{slug}/`. */
  slug: string;
  /** Directory laid out like the bucket prefix (manifest.json, *-video-n.mp4, audio/{lang}/…). */
  localDir: string;
  /** Delete remote objects under the prefix that are not in `localDir`; default false. */
  prune?: boolean;
  eventBusName: string;
  /** Named in "Bundle Synced": the delivery folder this bundle came from, and the agent's host. */
  delivery?: string;
  host?: string;
  /**
   * Extra user metadata per key relative to the prefix (a voice-over's loudness), set when the
   * object is uploaded. An object skipped as unchanged keeps the metadata it was uploaded with: the
   * values are measured from its bytes, so the same bytes carry the same values.
   */
  objectMetadata?: ReadonlyMap<string, Record<string, string>>;
  /**
   * What the picture and sound check found, announced with "Bundle Synced". A function is called
   * once the media are up and before the manifest (so a check still running beside the upload is
   * awaited there, and its failure leaves the bundle unpublished).
   */
  findings?: BundleSyncedInput['findings'] | (() => Promise<BundleSyncedInput['findings']>);
  /** Where the hash cache lives (DATA_DIR). */
  dataDir: string;
  /** An already open cache, so a daemon shares one across syncs; default: loaded from `dataDir`. */
  hashCache?: HashCache;
  /** Files uploaded at once; default 4. */
  concurrency?: number;
  /** Multipart part size; default 8 MiB (S3's minimum is 5 MiB). */
  partSizeBytes?: number;
  /** Files at or above this go multipart; default 16 MiB. */
  multipartThresholdBytes?: number;
  /** Parts of one file uploaded at once; default 4. */
  partConcurrency?: number;
  /** Retry of each S3/EventBridge step; default: unlimited attempts, 250 ms base, 15 s cap. */
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
  onProgress?: (progress: SyncProgress) => void;
  /**
   * Runs after every media file is in (and pruning is done), just before `manifest.json` goes up:
   * the last moment a local problem (a full or read-only DATA_DIR) can stop the bundle from going
   * live. When it throws, the manifest is not uploaded and the sync fails with its error.
   */
  beforeManifest?: () => Promise<void>;
  signal?: AbortSignal;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn'>;
}

export interface SyncResult {
  /** Full keys, in upload order (media, then `manifest.json`). */
  uploaded: string[];
  skipped: string[];
  deleted: string[];
  bytesUploaded: number;
  /** `bundleFingerprint` of the prefix as listed after the sync, the same value the consumer computes. */
  fingerprint: string;
  changed: boolean;
  /** Whether a "Bundle Synced" event was put on the bus. */
  eventPublished: boolean;
}

const MiB = 1 << 20;
/** Hashing is disk-bound; more parallel readers only make a NAS disk seek. */
const HASH_CONCURRENCY = 2;

/**
 * Delta-syncs one local bundle to its prefix: uploads only what differs (size and stored sha256),
 * media first and `manifest.json` last as the commit marker, prunes only when asked, and announces
 * a sync that changed anything with a "Bundle Synced" event. Transient S3 failures are retried
 * (by default without limit, so a delivery waits out an endpoint outage); aborting `signal` stops it.
 */
export async function syncBundle(options: SyncBundleOptions): Promise<SyncResult> {
  const files = await listBundleFiles(options.localDir);
  const languages = await readManifestLanguages(files, options.slug);
  const cache = options.hashCache ?? (await loadHashCache(options));
  const run: SyncRun = {
    options,
    prefix: exercisePrefix(options.slug),
    cache,
    concurrency: options.concurrency ?? 4,
    retry: retryPolicy(options),
  };
  try {
    const listed = await listPrefix(run);
    const plan = await planBundleSync(run, files, listed);
    const uploader = createUploader(run, files, plan.upload);
    const media = plan.upload.filter((object) => object.key !== MANIFEST_KEY);
    const manifest = plan.upload.find((object) => object.key === MANIFEST_KEY);
    await runPool(media, run.concurrency, uploader.upload);
    // Removed variants disappear before the new manifest lands, so a complete-looking bundle never
    // references files that are about to vanish.
    const deleted = await pruneRemoved(run, plan.delete);
    const findings = typeof options.findings === 'function' ? await options.findings() : options.findings;
    if (manifest !== undefined) {
      await options.beforeManifest?.();
      await uploader.upload(manifest);
    }

    const { uploaded } = uploader;
    const changed = uploaded.length > 0 || deleted.length > 0;
    const fingerprint = bundleFingerprint(changed ? await listPrefix(run) : listed);
    const eventPublished =
      changed &&
      (await announceBundleSynced(run, {
        languages,
        changedKeys: [...uploaded, ...deleted],
        fingerprint,
        findings,
      }));
    const result: SyncResult = {
      uploaded,
      skipped: plan.skip.map((object) => fullKey(run, object.key)),
      deleted,
      bytesUploaded: plan.upload.reduce((sum, object) => sum + object.size, 0),
      fingerprint,
      changed,
      eventPublished,
    };
    logSyncResult(run, result);
    return result;
  } finally {
    await cache
      .save()
      .catch((error: unknown) =>
        options.logger?.warn({ err: error, path: cache.path }, 'hash cache not saved'),
      );
  }
}

/** What every step of one sync shares. */
interface SyncRun {
  options: SyncBundleOptions;
  /** `{slug}/`: local keys are relative to it, the bucket's are not. */
  prefix: string;
  cache: HashCache;
  /** Files uploaded (and objects asked about) at once. */
  concurrency: number;
  /** The retry of one S3/EventBridge step, `what` naming it in the warning. */
  retry: (what: string) => RetryOptions;
}

function fullKey(run: SyncRun, relativeKey: string): string {
  return run.prefix + relativeKey;
}

function loadHashCache(options: SyncBundleOptions): Promise<HashCache> {
  return HashCache.load(options.dataDir, {
    onDiscard: (reason) => options.logger?.warn({ reason }, 'hash cache discarded'),
  });
}

function retryPolicy(options: SyncBundleOptions): (what: string) => RetryOptions {
  const { bucket, signal, logger } = options;
  return (what) => ({
    attempts: options.retry?.attempts ?? Number.POSITIVE_INFINITY,
    baseDelayMs: options.retry?.baseDelayMs ?? 250,
    maxDelayMs: options.retry?.maxDelayMs ?? 15_000,
    signal,
    onRetry: ({ error, attempt, delayMs }) =>
      logger?.warn(
        { problem: describeTransient(error), bucket, what, attempt, delayMs },
        'transient S3/EventBridge failure, retrying',
      ),
  });
}

function listPrefix(run: SyncRun): Promise<ListedObject[]> {
  const { s3, bucket, signal } = run.options;
  return withRetry(() => listObjects(s3, bucket, run.prefix, signal), run.retry(`list ${run.prefix}`));
}

/** What to upload, skip and delete, from the local files and the listing of the prefix. */
async function planBundleSync(
  run: SyncRun,
  files: readonly LocalBundleFile[],
  listed: readonly ListedObject[],
): Promise<SyncPlan> {
  const { s3, bucket, signal } = run.options;
  const { prefix, cache } = run;
  const remoteSizes = new Map(listed.map((object) => [object.key.slice(prefix.length), object.size]));
  // Only a file the bucket may already hold needs its hash for the decision (a cache hit when it is
  // unchanged); every other file is hashed right before its own upload, overlapping other uploads.
  const local = await runPool(files, HASH_CONCURRENCY, async (file): Promise<LocalObject> => {
    if (remoteSizes.get(file.relativeKey) !== file.size) return { key: file.relativeKey, size: file.size };
    return {
      key: file.relativeKey,
      size: file.size,
      sha256: await cache.sha256(file.path, file, { signal }),
    };
  });
  const remote = await resolveRemoteHashes(listed, local, prefix, {
    bucket,
    cache,
    concurrency: run.concurrency,
    head: (key) => withRetry(() => headObject(s3, bucket, key, signal), run.retry(`head ${key}`)),
  });
  return planSync(local, remote, { prune: run.options.prune ?? false });
}

/** Uploads planned objects one at a time each, keeping the order they finished in and the progress. */
function createUploader(
  run: SyncRun,
  files: readonly LocalBundleFile[],
  planned: readonly LocalObject[],
): { upload: (object: LocalObject) => Promise<void>; uploaded: string[] } {
  const { options, cache } = run;
  const { s3, bucket, signal } = options;
  const byKey = new Map(files.map((file) => [file.relativeKey, file]));
  const progress = createProgressTracker(planned, options.onProgress);
  const uploaded: string[] = [];
  const upload = async (object: LocalObject) => {
    const file = byKey.get(object.key) as LocalBundleFile;
    const key = fullKey(run, file.relativeKey);
    const sha256 = object.sha256 ?? (await cache.sha256(file.path, file, { signal }));
    const { etag } = await withRetry(
      () => {
        progress.update(key, 0);
        return uploadFile(s3, {
          bucket,
          key,
          path: file.path,
          size: object.size,
          sha256,
          contentType: file.contentType,
          ...(options.objectMetadata?.has(object.key)
            ? { metadata: options.objectMetadata.get(object.key)! }
            : {}),
          multipartThresholdBytes: options.multipartThresholdBytes ?? 16 * MiB,
          partSizeBytes: options.partSizeBytes ?? 8 * MiB,
          partConcurrency: options.partConcurrency ?? 4,
          signal,
          onBytes: (loaded) => progress.update(key, loaded),
        });
      },
      run.retry(`upload ${key}`),
    );
    cache.rememberRemote(bucket, key, { size: object.size, etag, sha256 });
    progress.finish(key, object.size);
    uploaded.push(key);
    options.logger?.debug({ bucket, key, size: object.size }, 'uploaded');
  };
  return { upload, uploaded };
}

/** Deletes the planned objects (when pruning) and forgets them in the cache; returns their full keys. */
async function pruneRemoved(run: SyncRun, planned: readonly RemoteObject[]): Promise<string[]> {
  const { s3, bucket, signal } = run.options;
  const deleted = planned.map((object) => fullKey(run, object.key));
  if (deleted.length > 0) {
    await withRetry(() => deleteObjects(s3, bucket, deleted, signal), run.retry(`prune ${run.prefix}`));
    for (const key of deleted) run.cache.forgetRemote(bucket, key);
  }
  return deleted;
}

/** Puts "Bundle Synced" on the bus; false when the sync has no events client to put it with. */
async function announceBundleSynced(
  run: SyncRun,
  sync: Pick<BundleSyncedInput, 'languages' | 'changedKeys' | 'fingerprint'> & {
    findings: BundleSyncedInput['findings'] | undefined;
  },
): Promise<boolean> {
  const { options } = run;
  const { events, signal } = options;
  if (events === undefined) return false;
  await withRetry(
    () =>
      publishBundleSynced(
        events,
        options.eventBusName,
        {
          exercise: options.slug,
          bucket: options.bucket,
          languages: sync.languages,
          changedKeys: sync.changedKeys,
          fingerprint: sync.fingerprint,
          ...(options.delivery === undefined ? {} : { delivery: options.delivery }),
          ...(options.host === undefined ? {} : { host: options.host }),
          ...(sync.findings === undefined ? {} : { findings: sync.findings }),
        },
        signal,
      ),
    run.retry('put "Bundle Synced"'),
  );
  return true;
}

function logSyncResult(run: SyncRun, result: SyncResult): void {
  run.options.logger?.info(
    {
      bucket: run.options.bucket,
      prefix: run.prefix,
      uploaded: result.uploaded.length,
      skipped: result.skipped.length,
      deleted: result.deleted.length,
      fingerprint: result.fingerprint,
    },
    result.changed ? 'bundle synced' : 'bundle already in sync',
  );
}

interface RemoteHashContext {
  bucket: string;
  cache: HashCache;
  concurrency: number;
  head: (key: string) => ReturnType<typeof headObject>;
}

/**
 * Turns the listing into plan input. A stored hash is needed only where the sizes already match;
 * it comes from the cache when the ETag is the one the agent saw after its own upload, and from a
 * HeadObject otherwise (objects written by someone else, or a cache from another machine).
 */
async function resolveRemoteHashes(
  listed: readonly ListedObject[],
  local: readonly LocalObject[],
  prefix: string,
  context: RemoteHashContext,
): Promise<RemoteObject[]> {
  const localByKey = new Map(local.map((object) => [object.key, object]));
  const remote: RemoteObject[] = listed.map((object) => ({
    key: object.key.slice(prefix.length),
    size: object.size,
  }));
  const needHead: { index: number; listed: ListedObject }[] = [];
  listed.forEach((object, index) => {
    const target = remote[index] as RemoteObject;
    if (localByKey.get(target.key)?.size !== object.size) return;
    const known = context.cache.remoteSha256(context.bucket, object.key, object.size, object.etag);
    if (known !== undefined) target.sha256 = known;
    else needHead.push({ index, listed: object });
  });
  await runPool(needHead, context.concurrency, async ({ index, listed: object }) => {
    const head = await context.head(object.key);
    if (head?.sha256 === undefined) return;
    (remote[index] as RemoteObject).sha256 = head.sha256;
    context.cache.rememberRemote(context.bucket, object.key, {
      size: head.size,
      etag: head.etag,
      sha256: head.sha256,
    });
  });
  return remote;
}

function createProgressTracker(
  upload: readonly LocalObject[],
  onProgress?: (progress: SyncProgress) => void,
) {
  const bytesTotal = upload.reduce((sum, object) => sum + object.size, 0);
  const inFlight = new Map<string, number>();
  let bytesFinished = 0;
  let filesDone = 0;
  const emit = () => {
    if (onProgress === undefined) return;
    let bytesDone = bytesFinished;
    for (const loaded of inFlight.values()) bytesDone += loaded;
    onProgress({ filesDone, filesTotal: upload.length, bytesDone, bytesTotal });
  };
  emit();
  return {
    /** Bytes of an in-flight file; a retry resets it to 0 so the total never counts a byte twice. */
    update(key: string, loaded: number) {
      inFlight.set(key, loaded);
      emit();
    },
    finish(key: string, size: number) {
      inFlight.delete(key);
      bytesFinished += size;
      filesDone += 1;
      emit();
    },
  };
}
