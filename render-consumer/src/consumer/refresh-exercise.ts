import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  bundleFingerprint,
  catalogPreviewRecipe,
  type Logger,
  type Manifest,
  manifestKey,
  recipeHash,
  toPutEventsEntry,
} from '@exercise-pipeline/shared';
import { listPrefixObjects } from '../bundle/s3-bundle-source.js';
import type { CatalogDb } from '../catalog/database.js';
import { hasSyncedDelivery } from '../catalog/deliveries.js';
import {
  archiveExercise,
  bumpAssetVersion,
  type ExerciseRow,
  findExercise,
  lockExercise,
} from '../catalog/exercises.js';
import { supersedeRenders } from '../catalog/renders.js';
import { type BundleSource, readBundle } from '../compose/bundle-source.js';
import type { EnsureRender } from '../render/ensure-render.js';
import { decideSettle } from './settle.js';

export interface RefreshDeps {
  db: CatalogDb;
  s3: S3Client;
  bucket: string;
  /** `owner` tells this process's render leases from other consumers'. */
  ensureRender: Pick<EnsureRender, 'ensure' | 'owner'>;
  /** Where "Render Ready"/"Render Failed" go; absent → no events (local tools). */
  events?: EventBridgeClient;
  eventBusName: string;
  settleSeconds: number;
  graceSeconds: number;
  /** Opens an exercise's bundle for reading (S3 through the download cache). */
  bundleSourceFor: (slug: string) => BundleSource;
  logger?: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
}

export interface RefreshRequest {
  exercise: string;
  /** The fingerprint a "Bundle Synced" announced, when that is what triggered the refresh. */
  syncedFingerprint?: string;
}

export interface PreviewResult {
  language: string;
  renderId: number;
  cached: boolean;
}

export type RefreshOutcome =
  | { outcome: 'deferred'; delaySeconds: number }
  | { outcome: 'unchanged'; assetVersion: number }
  | { outcome: 'no-manifest' }
  | { outcome: 'archived'; superseded: number }
  | { outcome: 'refreshed'; assetVersion: number; bumped: boolean; previews: PreviewResult[] };

/**
 * Brings one exercise's catalog in line with what the bucket holds: the decision the whole queue
 * exists for. Safe to run any number of times, from any number of processes, for any number of
 * events of one change: the fingerprint makes a repeat a no-op, the row lock serialises the version
 * bump, and EnsureRender's lease renders each preview once.
 */
export async function refreshExercise(deps: RefreshDeps, request: RefreshRequest): Promise<RefreshOutcome> {
  const { db, s3, bucket } = deps;
  const slug = request.exercise;
  const now = deps.now?.() ?? new Date();
  const objects = await listPrefixObjects(s3, bucket, slug);

  if (!objects.some((object) => object.key === manifestKey(slug))) {
    // Media arrive before the manifest (the agent's commit marker); without one there is nothing to
    // render yet, unless the exercise was live, in which case its bundle was taken away.
    const existing = await findExercise(db, slug);
    if (!existing || existing.status === 'archived') return { outcome: 'no-manifest' };
    const superseded = await db.transaction(async (tx) => {
      const row = await lockExercise(tx, slug);
      if (row.status === 'archived') return 0;
      await archiveExercise(tx, row.id);
      return supersedeRenders(tx, row.id, row.asset_version + 1, deps.graceSeconds);
    });
    deps.logger?.info({ exercise: slug, superseded }, 'manifest deleted: exercise archived');
    return { outcome: 'archived', superseded };
  }

  const fingerprint = bundleFingerprint(objects);
  const newest = new Date(Math.max(...objects.map((object) => object.lastModified.getTime())));
  const coveredBySync =
    request.syncedFingerprint === fingerprint || (await hasSyncedDelivery(db, slug, fingerprint));
  const settle = decideSettle({
    newestObjectAt: newest,
    now,
    settleSeconds: deps.settleSeconds,
    coveredBySync,
  });
  if (!settle.settled) return { outcome: 'deferred', delaySeconds: settle.delaySeconds };

  const source = deps.bundleSourceFor(slug);
  const bundle = await readBundle(source);

  let exercise = await findExercise(db, slug);
  if (exercise && isCurrent(exercise, fingerprint) && (await previewsReady(db, exercise, bundle.manifest))) {
    return { outcome: 'unchanged', assetVersion: exercise.asset_version };
  }

  let bumped = false;
  exercise = await db.transaction(async (tx) => {
    const row = await lockExercise(tx, slug);
    // Another consumer may have bumped for this same state while we waited for the lock.
    if (isCurrent(row, fingerprint)) return row;
    const next = await bumpAssetVersion(tx, row.id, fingerprint);
    const superseded = await supersedeRenders(tx, row.id, next.asset_version, deps.graceSeconds);
    bumped = true;
    deps.logger?.info(
      { exercise: slug, assetVersion: next.asset_version, superseded, fingerprint },
      'asset change: version bumped',
    );
    return next;
  });

  // A preview another consumer is rendering right now is left to it: waiting here would hold this
  // consumer idle while other exercises' messages queue up. This message comes back shortly and
  // then finds the preview ready (or takes the render over, if that consumer died).
  const elsewhere = await previewsRenderingElsewhere(db, exercise, deps.ensureRender.owner);
  const previews: PreviewResult[] = [];
  for (const language of bundle.manifest.languages) {
    const recipe = catalogPreviewRecipe(bundle.manifest, language);
    if (elsewhere.has(`${language}/${recipeHash(recipe)}`)) continue;
    try {
      const ensured = await deps.ensureRender.ensure({ exercise: slug, recipeInput: recipe });
      previews.push({ language, renderId: ensured.render.id, cached: ensured.cached });
      if (!ensured.cached) {
        await putEvent(deps, {
          type: 'render-ready',
          exercise: slug,
          language,
          renderId: String(ensured.render.id),
          assetVersion: ensured.render.asset_version,
          recipeHash: ensured.recipeHash,
          ...(ensured.render.bunny_video_id ? { bunnyVideoId: ensured.render.bunny_video_id } : {}),
          playbackUrl: ensured.render.playback_url ?? '',
          durationSeconds: ensured.render.duration_seconds ?? 0,
        });
      }
    } catch (error) {
      await putEvent(deps, {
        type: 'render-failed',
        exercise: slug,
        language,
        assetVersion: exercise.asset_version,
        error: (error as Error).message,
      }).catch(() => {});
      throw error;
    }
  }

  if (elsewhere.size > 0) return { outcome: 'deferred', delaySeconds: BUSY_DEFER_SECONDS };

  // The catalog shows the manifest's first language; point at it only while that version is current.
  const primary = previews[0];
  if (primary) {
    await db.query(
      'UPDATE exercises SET catalog_render_id = $2, updated_at = now() WHERE id = $1 AND asset_version = $3',
      [exercise.id, primary.renderId, exercise.asset_version],
    );
  }
  return { outcome: 'refreshed', assetVersion: exercise.asset_version, bumped, previews };
}

/** How long a message waits when another consumer is rendering its exercise's previews. */
const BUSY_DEFER_SECONDS = 2;

/** `{language}/{recipe_hash}` of current-version renders leased, unexpired, to another consumer. */
async function previewsRenderingElsewhere(
  db: CatalogDb,
  exercise: ExerciseRow,
  owner: string,
): Promise<Set<string>> {
  const rows = await db.query<{ language: string; recipe_hash: string }>(
    `SELECT language, recipe_hash FROM exercise_renders
      WHERE exercise_id = $1 AND asset_version = $2 AND status = 'pending'
        AND lease_owner IS NOT NULL AND lease_owner <> $3 AND lease_expires_at > now()`,
    [exercise.id, exercise.asset_version, owner],
  );
  return new Set(rows.map((row) => `${row.language}/${row.recipe_hash}`));
}

function isCurrent(exercise: ExerciseRow, fingerprint: string): boolean {
  return (
    exercise.status === 'active' && exercise.asset_fingerprint === fingerprint && exercise.asset_version > 0
  );
}

/** Whether every language's catalog preview of the current asset version is ready. */
async function previewsReady(db: CatalogDb, exercise: ExerciseRow, manifest: Manifest): Promise<boolean> {
  if (exercise.catalog_render_id === null) return false;
  const wanted = manifest.languages.map((language) => ({
    language,
    hash: recipeHash(catalogPreviewRecipe(manifest, language)),
  }));
  const rows = await db.query<{ language: string; recipe_hash: string }>(
    `SELECT language, recipe_hash FROM exercise_renders
      WHERE exercise_id = $1 AND asset_version = $2 AND status = 'ready'`,
    [exercise.id, exercise.asset_version],
  );
  return wanted.every(({ language, hash }) =>
    rows.some((row) => row.language === language && row.recipe_hash === hash),
  );
}

async function putEvent(deps: RefreshDeps, event: Parameters<typeof toPutEventsEntry>[1]): Promise<void> {
  if (!deps.events) return;
  await deps.events.send(new PutEventsCommand({ Entries: [toPutEventsEntry(deps.eventBusName, event)] }));
}
