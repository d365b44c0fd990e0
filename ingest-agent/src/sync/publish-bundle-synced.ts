import { readFile } from 'node:fs/promises';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  abortable,
  assertManifest,
  ManifestInvalidError,
  type QcFindingDetail,
  toPutEventsEntry,
} from '@exercise-pipeline/shared';
import { EventPublishError } from './errors.js';
import type { LocalBundleFile } from './list-bundle-files.js';
import { MANIFEST_KEY } from './plan-sync.js';

export interface BundleSyncedInput {
  exercise: string;
  bucket: string;
  languages: string[];
  /** Full keys uploaded or deleted by this sync. */
  changedKeys: string[];
  fingerprint: string;
  /** The delivery folder and the agent's host, when the sync came from a delivery. */
  delivery?: string;
  host?: string;
  /** What the ingest agent's picture and sound check found in the delivery. */
  findings?: QcFindingDetail[];
}

/**
 * The languages the "Bundle Synced" event announces, read before anything is uploaded so a broken
 * manifest (or one naming another exercise) stops the sync instead of landing in the bucket.
 */
export async function readManifestLanguages(
  files: readonly LocalBundleFile[],
  slug: string,
): Promise<string[]> {
  const file = files.find((candidate) => candidate.relativeKey === MANIFEST_KEY);
  if (file === undefined)
    throw new ManifestInvalidError([{ field: '(root)', message: 'is missing' }], MANIFEST_KEY);
  const manifest = assertManifest(await readFile(file.path, 'utf8'), file.path);
  if (manifest.exercise !== slug) {
    throw new ManifestInvalidError(
      [
        {
          field: 'exercise',
          message: `is "${manifest.exercise}" but the bundle is synced as "${slug}"; make them the same`,
        },
      ],
      file.path,
    );
  }
  return [...manifest.languages];
}

/** Puts one "Bundle Synced" event on the bus; an entry EventBridge refuses is an error, not a silent loss. */
export async function publishBundleSynced(
  events: EventBridgeClient,
  eventBusName: string,
  input: BundleSyncedInput,
  signal?: AbortSignal,
): Promise<void> {
  const entry = toPutEventsEntry(eventBusName, { type: 'bundle-synced', ...input });
  const result = await events.send(new PutEventsCommand({ Entries: [entry] }), abortable(signal));
  const failed = result.Entries?.[0];
  if ((result.FailedEntryCount ?? 0) > 0 || failed?.ErrorCode !== undefined) {
    throw new EventPublishError(eventBusName, failed?.ErrorCode, failed?.ErrorMessage);
  }
}
