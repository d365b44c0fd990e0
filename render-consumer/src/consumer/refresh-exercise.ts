import type { S3Client } from '@aws-sdk/client-s3';
import { bundleFingerprint, type Manifest, manifestKey } from '@exercise-pipeline/shared';
import { listPrefixObjects, type PrefixObject } from '../bundle/s3-bundle-source.js';
import type { CatalogDb } from '../catalog/database.js';
import { hasSyncedDelivery } from '../catalog/deliveries.js';
import {
  archiveExercise,
  bumpAssetVersion,
  type ExerciseRow,
  findExercise,
  lockExercise,
  recordForcedRefresh,
  wasForcedBefore,
} from '../catalog/exercises.js';
import { supersedeRenders } from '../catalog/renders.js';
import { offerCatalogRender } from '../catalog/transcodes.js';
import { type BundleSource, readBundle } from '../compose/bundle-source.js';
import {
  type PreviewDeps,
  type PreviewResult,
  type PreviewRound,
  publishedPreviews,
  renderCatalogPreviews,
} from './catalog-previews.js';
import type { ManifestMemo } from './manifest-memo.js';
import { type DeferredCopies, decideQuiet, MAX_DELAY_SECONDS } from './quiet-period.js';

export interface RefreshDeps extends PreviewDeps {
  s3: S3Client;
  bucket: string;
  quietSeconds: number;
  graceSeconds: number;
  /** Opens an exercise's bundle for reading (S3 through the download cache). */
  bundleSourceFor: (slug: string) => BundleSource;
  /** Deferred copies still to come back, which cover later object events; absent → none kept. */
  deferredCopies?: DeferredCopies;
  /** Manifests already read, so a message finding its exercise current reads none; absent → none kept. */
  manifests?: ManifestMemo;
  now?: () => Date;
}

export interface RefreshRequest {
  exercise: string;
  /** The fingerprint a "Bundle Synced" announced, when that is what triggered the refresh. */
  syncedFingerprint?: string;
  /**
   * An operator's forced re-render (`pnpm consumer refresh --force`): bump the asset version and
   * render every preview again even though the bundle did not change; no wait for a quiet bundle.
   */
  force?: boolean;
  /**
   * The forced request's id ("Refresh Requested" `requestId`): its bump is recorded with it in the
   * same transaction, so a redelivered copy (a consumer killed mid-render, a replay) renders what is
   * missing instead of bumping again.
   */
  forceRequestId?: string;
  /**
   * An object event (not "Bundle Synced", an operator's request or a shared copy): one that a
   * deferred copy of the same exercise still to come back covers needs no handling (DeferredCopies).
   */
  coalescible?: boolean;
  /**
   * The language (index in the manifest's list) this handling starts with; the others follow in
   * order. A copy made by `shareLanguages` starts with the language it was made for.
   */
  languageOffset?: number;
  /**
   * Called once this handling bumped the asset version of a manifest with more than one language,
   * before it renders: puts `copies` copies of the message back on the queue (copy k starting with
   * language k), so idle consumers render the other languages in parallel instead of this one
   * rendering them in turn. `assetVersion` is the version bumped to.
   */
  shareLanguages?: (copies: number, assetVersion: number) => Promise<void>;
}

export type RefreshOutcome =
  /** `forcedVersion`: the version a forced refresh bumped to before deferring (see handle-message). */
  | { outcome: 'deferred'; delaySeconds: number; forcedVersion?: number }
  | { outcome: 'unchanged'; assetVersion: number }
  /** An object event covered by a deferred copy of its exercise that is still to come back. */
  | { outcome: 'covered' }
  | { outcome: 'no-manifest' }
  | { outcome: 'archived'; superseded: number }
  | { outcome: 'superseded-while-rendering'; assetVersion: number }
  | { outcome: 'refreshed'; assetVersion: number; bumped: boolean; previews: PreviewResult[] };

/**
 * Brings one exercise's catalog in line with what the bucket holds: the decision the whole queue
 * exists for. Safe to run any number of times, from any number of processes, for any number of
 * events of one change: the fingerprint makes a repeat a no-op, the row lock serialises the version
 * bump, and EnsureRender's lease renders each preview once.
 */
export async function refreshExercise(deps: RefreshDeps, request: RefreshRequest): Promise<RefreshOutcome> {
  const slug = request.exercise;
  const now = deps.now?.() ?? new Date();
  if (request.coalescible && deps.deferredCopies?.covers(slug, now.getTime())) return { outcome: 'covered' };
  const objects = await listPrefixObjects(deps.s3, deps.bucket, slug);
  const manifestObject = objects.find((object) => object.key === manifestKey(slug));
  if (!manifestObject) return archiveWithoutManifest(deps, slug);

  const fingerprint = bundleFingerprint(objects);
  const delaySeconds = await quietDelaySeconds(deps, request, objects, fingerprint, now);
  if (delaySeconds !== undefined) {
    deps.deferredCopies?.deferred(slug, delaySeconds, now.getTime());
    return { outcome: 'deferred', delaySeconds };
  }

  const manifest = await currentManifest(deps, slug, manifestObject.etag);
  const known = await findExercise(deps.db, slug);
  if (!request.force && known && (await isPublishedAndCurrent(deps.db, known, fingerprint, manifest))) {
    return { outcome: 'unchanged', assetVersion: known.asset_version };
  }

  const { exercise, bumped } = await bumpAssetVersionIfChanged(deps, request);
  if (bumped && manifest.languages.length > 1) {
    await request.shareLanguages?.(manifest.languages.length - 1, exercise.asset_version);
  }
  const round = await renderCatalogPreviews(deps, exercise, manifest, request.languageOffset ?? 0);
  if (round.outcome === 'superseded-while-rendering') return round;
  const forcedVersion = request.force && bumped ? exercise.asset_version : undefined;
  return offerFirstLanguagePreview(deps, exercise, manifest, round, bumped, forcedVersion);
}

/**
 * Media arrive before the manifest (the agent's commit marker); without one there is nothing to
 * render yet, unless the exercise was live, in which case its bundle was taken away: it is archived
 * and its renders superseded.
 */
async function archiveWithoutManifest(deps: RefreshDeps, slug: string): Promise<RefreshOutcome> {
  const existing = await findExercise(deps.db, slug);
  if (!existing || existing.status === 'archived') return { outcome: 'no-manifest' };
  const superseded = await deps.db.transaction(async (tx) => {
    const row = await lockExercise(tx, slug);
    if (row.status === 'archived') return 0;
    await archiveExercise(tx, row.id);
    return supersedeRenders(tx, row.id, row.asset_version + 1, deps.graceSeconds);
  });
  deps.logger?.info({ exercise: slug, superseded }, 'manifest deleted: exercise archived');
  return { outcome: 'archived', superseded };
}

/** Seconds to wait until the bundle has been quiet long enough, or undefined when it has now. */
async function quietDelaySeconds(
  deps: RefreshDeps,
  request: RefreshRequest,
  objects: readonly PrefixObject[],
  fingerprint: string,
  now: Date,
): Promise<number | undefined> {
  const newest = new Date(Math.max(...objects.map((object) => object.lastModified.getTime())));
  const quietInput = { newestObjectAt: newest, now, quietSeconds: deps.quietSeconds };
  let quiet = decideQuiet({
    ...quietInput,
    coveredBySync: request.force === true || request.syncedFingerprint === fingerprint,
  });
  // The deliveries table is only asked about a bundle young enough for its answer to matter.
  if (!quiet.quiet && (await hasSyncedDelivery(deps.db, request.exercise, fingerprint))) {
    quiet = decideQuiet({ ...quietInput, coveredBySync: true });
  }
  return quiet.quiet ? undefined : quiet.delaySeconds;
}

/**
 * Bumps the asset version, under the exercise's row lock, unless the bucket's state is the one the
 * row already records (and the request is not a forced refresh seen for the first time).
 */
async function bumpAssetVersionIfChanged(
  deps: RefreshDeps,
  request: RefreshRequest,
): Promise<{ exercise: ExerciseRow; bumped: boolean }> {
  const slug = request.exercise;
  let bumped = false;
  const exercise = await deps.db.transaction(async (tx) => {
    const row = await lockExercise(tx, slug);
    // The bucket as it is now, read under the lock: a consumer that listed before another one
    // bumped for a newer state must not store its older fingerprint (and bump twice more).
    const current = bundleFingerprint(await listPrefixObjects(deps.s3, deps.bucket, slug));
    const force =
      request.force === true &&
      (request.forceRequestId === undefined || !(await wasForcedBefore(tx, request.forceRequestId)));
    // Another consumer may have bumped for this same state while we waited for the lock.
    if (!force && isCurrent(row, current)) return row;
    const next = await bumpAssetVersion(tx, row.id, current);
    if (force && request.forceRequestId !== undefined) {
      await recordForcedRefresh(tx, request.forceRequestId, row.id, next.asset_version);
    }
    // The catalog preview stays live until the new version's preview plays (see offerCatalogRender).
    const superseded = await supersedeRenders(
      tx,
      row.id,
      next.asset_version,
      deps.graceSeconds,
      undefined,
      row.catalog_render_id,
    );
    bumped = true;
    deps.logger?.info(
      {
        exercise: slug,
        assetVersion: next.asset_version,
        superseded,
        fingerprint: current,
        forced: force,
      },
      force ? 'forced re-render: version bumped' : 'asset change: version bumped',
    );
    return next;
  });
  return { exercise, bumped };
}

/**
 * The catalog shows the manifest's first language. Whoever finishes the last preview offers it, so
 * a preview left to another consumer that is published by now needs no second round; only one
 * still rendering sends this message back for a later look, in case that consumer dies. Its render
 * cannot be taken over before its lease runs out, so the look comes just after that, not every few
 * seconds (each look is a listing and a message for nothing while the lease is live).
 */
async function offerFirstLanguagePreview(
  deps: RefreshDeps,
  exercise: ExerciseRow,
  manifest: Manifest,
  round: Extract<PreviewRound, { outcome: 'rendered' }>,
  bumped: boolean,
  forcedVersion: number | undefined,
): Promise<RefreshOutcome> {
  const { previews, leftToOthers } = round;
  const ready = leftToOthers === 0 ? previews : await publishedPreviews(deps.db, exercise, manifest);
  if (ready === undefined) {
    return {
      outcome: 'deferred',
      delaySeconds: takeoverDelaySeconds(round.soonestTakeover),
      ...(forcedVersion === undefined ? {} : { forcedVersion }),
    };
  }
  const primary = ready.find((preview) => preview.language === manifest.languages[0]);
  if (primary) {
    // Only while that version is current: a newer bump must not be pointed back at an older render.
    // A ready render becomes the preview now; an encoding one once Bunny can play it.
    await offerCatalogRender(deps.db, {
      exerciseId: exercise.id,
      assetVersion: exercise.asset_version,
      renderId: primary.renderId,
      graceSeconds: deps.graceSeconds,
    });
  }
  return {
    outcome: 'refreshed',
    assetVersion: exercise.asset_version,
    bumped,
    previews: leftToOthers === 0 ? previews : mergePreviews(previews, ready),
  };
}

/** The shortest wait of a message whose previews other consumers are rendering. */
const BUSY_DEFER_SECONDS = 2;

/**
 * How long a message whose previews are left to other consumers waits before it looks again: until
 * just after the first of their leases could run out (a live consumer renews it, and the next look
 * waits again), at least BUSY_DEFER_SECONDS and at most SQS's longest delay.
 */
export function takeoverDelaySeconds(leaseSecondsLeft: number): number {
  if (!Number.isFinite(leaseSecondsLeft)) return BUSY_DEFER_SECONDS;
  return Math.min(Math.max(Math.ceil(leaseSecondsLeft) + 1, BUSY_DEFER_SECONDS), MAX_DELAY_SECONDS);
}

/** This message's own previews as they were, the others' as found published. */
function mergePreviews(own: PreviewResult[], ready: PreviewResult[]): PreviewResult[] {
  return ready.map((preview) => own.find((mine) => mine.language === preview.language) ?? preview);
}

/** The manifest the listing saw: from the memo, else read (and then kept) through the bundle source. */
async function currentManifest(deps: RefreshDeps, slug: string, etag: string): Promise<Manifest> {
  const known = deps.manifests?.get(slug, etag);
  if (known) return known;
  const bundle = await readBundle(deps.bundleSourceFor(slug));
  // Kept only when it is the manifest the listing saw, not one replaced in between.
  if (bundle.etags.get('manifest.json') === etag) deps.manifests?.set(slug, etag, bundle.manifest);
  return bundle.manifest;
}

function isCurrent(exercise: ExerciseRow, fingerprint: string): boolean {
  return (
    exercise.status === 'active' && exercise.asset_fingerprint === fingerprint && exercise.asset_version > 0
  );
}

/**
 * Whether the row records this bundle state, every language's preview of the current version is
 * published (ready, or encoding at Bunny) and the catalog points at the first language's one, or
 * waits for it to play.
 */
async function isPublishedAndCurrent(
  db: CatalogDb,
  exercise: ExerciseRow,
  fingerprint: string,
  manifest: Manifest,
): Promise<boolean> {
  if (!isCurrent(exercise, fingerprint)) return false;
  const primary = (await publishedPreviews(db, exercise, manifest))?.[0]?.renderId;
  return (
    primary !== undefined &&
    (exercise.catalog_render_id === primary || exercise.next_catalog_render_id === primary)
  );
}
