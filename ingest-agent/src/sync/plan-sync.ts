/**
 * The sync decision, kept free of I/O: which files of a local bundle to upload, which the bucket
 * already holds, and which remote objects a prune would remove. Keys are relative to the exercise
 * prefix (`manifest.json`, `intro-video-1.mp4`, `audio/ro/intro-vo-1.mp3`).
 */

/** The manifest is the commit marker: the consumer treats a bundle as complete once it changes. */
export const MANIFEST_KEY = 'manifest.json';

export interface LocalObject {
  key: string;
  size: number;
  /**
   * Hex sha256 of the file's bytes. May be left out when the remote has no object of this key and
   * size: the file is uploaded anyway, so a sync can hash it right before its upload instead of
   * holding every upload back until the whole bundle is hashed.
   */
  sha256?: string;
}

export interface RemoteObject {
  key: string;
  size: number;
  /** The hash the agent stored in the object's metadata; absent when another tool wrote it. */
  sha256?: string;
}

export interface PlanOptions {
  /** Remove remote objects under the prefix that the local bundle does not have; default false. */
  prune?: boolean;
}

export interface SyncPlan {
  /** Media first (largest first, so parallel uploads finish together), `manifest.json` last. */
  upload: LocalObject[];
  /** Local files whose size and stored hash already match the remote object. */
  skip: LocalObject[];
  /** Only with `prune`; `manifest.json` first so the bundle stops looking complete before it shrinks. */
  delete: RemoteObject[];
}

function isManifest(key: string): boolean {
  return key === MANIFEST_KEY;
}

function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function uploadOrder(a: LocalObject, b: LocalObject): number {
  const manifestA = isManifest(a.key);
  const manifestB = isManifest(b.key);
  if (manifestA !== manifestB) return manifestA ? 1 : -1;
  return b.size - a.size || byKey(a, b);
}

function deleteOrder(a: RemoteObject, b: RemoteObject): number {
  const manifestA = isManifest(a.key);
  const manifestB = isManifest(b.key);
  if (manifestA !== manifestB) return manifestA ? -1 : 1;
  return byKey(a, b);
}

function indexByKey<T extends { key: string }>(objects: readonly T[], side: string): Map<string, T> {
  const index = new Map<string, T>();
  for (const object of objects) {
    if (index.has(object.key)) {
      throw new Error(`planSync: ${side} key "${object.key}" is listed twice; pass each key once`);
    }
    index.set(object.key, object);
  }
  return index;
}

/**
 * Compares a local bundle with the bucket's objects. An object is skipped only when the sizes match
 * and the remote carries the same sha256 the agent stored at upload; without a stored hash the
 * agent cannot prove equality, so it uploads again.
 */
export function planSync(
  local: readonly LocalObject[],
  remote: readonly RemoteObject[],
  options: PlanOptions = {},
): SyncPlan {
  const localByKey = indexByKey(local, 'local');
  const remoteByKey = indexByKey(remote, 'remote');
  const upload: LocalObject[] = [];
  const skip: LocalObject[] = [];
  for (const file of localByKey.values()) {
    const existing = remoteByKey.get(file.key);
    const sameSize = existing !== undefined && existing.size === file.size;
    if (sameSize && file.sha256 === undefined) {
      throw new Error(`planSync: local "${file.key}" has a same-size remote object, so its sha256 is needed`);
    }
    const same = sameSize && existing.sha256 !== undefined && existing.sha256 === file.sha256;
    (same ? skip : upload).push(file);
  }
  const toDelete = options.prune
    ? [...remoteByKey.values()].filter((object) => !localByKey.has(object.key))
    : [];
  return {
    upload: upload.sort(uploadOrder),
    skip: skip.sort(byKey),
    delete: toDelete.sort(deleteOrder),
  };
}
