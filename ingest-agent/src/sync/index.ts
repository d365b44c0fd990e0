export { BundleLayoutError, EventPublishError, SyncVerifyError } from './errors.js';
export {
  type FileStat,
  HASH_CACHE_FILE,
  HashCache,
  type HashCacheOptions,
  type HashCacheStats,
} from './HashCache.js';
export { hashFile } from './hashFile.js';
export { contentTypeFor, type LocalBundleFile, listBundleFiles } from './listBundleFiles.js';
export {
  type LocalObject,
  MANIFEST_KEY,
  type PlanOptions,
  planSync,
  type RemoteObject,
  type SyncPlan,
} from './planSync.js';
export { type BundleSyncedInput, publishBundleSynced, readManifestLanguages } from './publishBundleSynced.js';
export { SHA256_METADATA_KEY } from './s3Objects.js';
export { type SyncBundleOptions, type SyncProgress, type SyncResult, syncBundle } from './syncBundle.js';
