export { BundleLayoutError, EventPublishError, SyncVerifyError } from './errors.js';
export {
  type FileStat,
  HASH_CACHE_FILE,
  HashCache,
  type HashCacheOptions,
  type HashCacheStats,
} from './hash-cache.js';
export { hashFile } from './hash-file.js';
export { contentTypeFor, type LocalBundleFile, listBundleFiles } from './list-bundle-files.js';
export {
  type LocalObject,
  MANIFEST_KEY,
  type PlanOptions,
  planSync,
  type RemoteObject,
  type SyncPlan,
} from './plan-sync.js';
export {
  type BundleSyncedInput,
  publishBundleSynced,
  readManifestLanguages,
} from './publish-bundle-synced.js';
export { SHA256_METADATA_KEY } from './s3-objects.js';
export { type SyncBundleOptions, type SyncProgress, type SyncResult, syncBundle } from './sync-bundle.js';
export * from './upload-file.js';
