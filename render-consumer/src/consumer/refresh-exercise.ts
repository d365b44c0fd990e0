import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  bundleFingerprint,
  catalogPreviewRecipe,
  type Logger,
  type Manifest,
  manifestKey,
  PipelineError,
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
  recordForcedRefresh,
  wasForcedBefore,
} from '../catalog/exercises.js';
import { leaseSecondsLeftElsewhere, listVersionRenders, supersedeRenders } from '../catalog/renders.js';
import { offerCatalogRender } from '../catalog/transcodes.js';
import { type BundleSource, readBundle } from '../compose/bundle-source.js';
import { type EnsureRender, isHeldElsewhere } from '../render/ensure-render.js';
import type { ManifestMemo } from './manifest-memo.js';
import { previewLink } from './preview-link.js';
import { decideQuiet, MAX_DELAY_SECONDS, type DeferredCopies } from './quiet-period.js';

export interface RefreshDeps {
  db: CatalogDb;
  s3: S3Client;
  bucket: string;
  /** `owner` tells this process's render leases from other consumers'. */
  ensureRender: Pick<EnsureRender, 'tryEnsure' | 'owner'>;
  /** Where "Render Ready"/"Render Failed" go; absent → no events (local tools). */
  events?: EventBridgeClient;
  eventBusName: string;
  /** The status page as people reach it: "Render Ready" of a local render links it (see previewLink). */
  statusPageUrl?: string;
  quietSeconds: number;
  graceSeconds: number;
  /** Opens an exercise's bundle for reading (S3 through the download cache). */
  bundleSourceFor: (slug: string) => BundleSource;
  /** Deferred copies still to come back, which cover later object events; absent → none kept. */
  deferredCopies?: DeferredCopies;
  /** Manifests already read, so a message finding its exercise current reads none; absent → none kept. */
  manifests?: ManifestMemo;
  logger?: Pick<Logger, 'info' | 'warn'>;
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

export interface PreviewResult {
  language: string;
  renderId: number;
  cached: boolean;
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
  const { db, s3, bucket } = deps;
  const slug = request.exercise;
  const now = deps.now?.() ?? new Date();
  if (request.coalescible && deps.deferredCopies?.covers(slug, now.getTime())) return { outcome: 'covered' };
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
  const quietInput = { newestObjectAt: newest, now, quietSeconds: deps.quietSeconds };
  let quiet = decideQuiet({
    ...quietInput,
    coveredBySync: request.force === true || request.syncedFingerprint === fingerprint,
  });
  // The deliveries table is only asked about a bundle young enough for its answer to matter.
  if (!quiet.quiet && (await hasSyncedDelivery(db, slug, fingerprint))) {
    quiet = decideQuiet({ ...quietInput, coveredBySync: true });
  }
  if (!quiet.quiet) {
    deps.deferredCopies?.deferred(slug, quiet.delaySeconds, now.getTime());
    return { outcome: 'deferred', delaySeconds: quiet.delaySeconds };
  }

  const manifestEtag = objects.find((object) => object.key === manifestKey(slug))?.etag ?? '';
  const manifest = await currentManifest(deps, slug, manifestEtag);

  let exercise = await findExercise(db, slug);
  if (
    !request.force &&
    exercise &&
    isCurrent(exercise, fingerprint) &&
    (await previewsPublished(db, exercise, manifest))
  ) {
    return { outcome: 'unchanged', assetVersion: exercise.asset_version };
  }

  let bumped = false;
  exercise = await db.transaction(async (tx) => {
    const row = await lockExercise(tx, slug);
    // The bucket as it is now, read under the lock: a consumer that listed before another one
    // bumped for a newer state must not store its older fingerprint (and bump twice more).
    const current = bundleFingerprint(await listPrefixObjects(s3, bucket, slug));
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

  if (bumped && manifest.languages.length > 1) {
    await request.shareLanguages?.(manifest.languages.length - 1, exercise.asset_version);
  }

  // A preview another consumer is rendering right now is left to it: waiting here would hold this
  // consumer idle while other exercises' messages queue up. It is looked up again before every
  // language, because another consumer may have taken one while this one rendered the previous,
  // and the claim itself never waits (tryEnsure) in case one took it just after the look.
  const previews: PreviewResult[] = [];
  let leftToOthers = 0;
  /** Seconds until the first lease left to another consumer could be taken over. */
  let soonestTakeover = Number.POSITIVE_INFINITY;
  for (const language of rotate(manifest.languages, request.languageOffset ?? 0)) {
    const recipe = catalogPreviewRecipe(manifest, language);
    const held = await renderingElsewhere(
      db,
      exercise,
      deps.ensureRender.owner,
      language,
      recipeHash(recipe),
    );
    if (held !== undefined) {
      leftToOthers += 1;
      soonestTakeover = Math.min(soonestTakeover, held);
      continue;
    }
    try {
      const ensured = await deps.ensureRender.tryEnsure({
        exercise: slug,
        recipeInput: recipe,
        catalogPreview: true,
      });
      if (isHeldElsewhere(ensured)) {
        leftToOthers += 1;
        soonestTakeover = Math.min(soonestTakeover, ensured.leaseSecondsLeft);
        continue;
      }
      previews.push({ language, renderId: ensured.render.id, cached: ensured.cached });
      // An encoding render is announced by the transcode watcher once Bunny can play it.
      if (!ensured.cached && ensured.render.status === 'ready') {
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
          ...noticeFields(exercise),
          ...optional(
            'previewUrl',
            previewLink(ensured.render.playback_url, ensured.render.id, deps.statusPageUrl),
          ),
        });
      }
    } catch (error) {
      // A newer asset version superseded this preview while it rendered: not a failure, the
      // newer version's own messages render it again.
      if (isLeaseLost(error) && (await findExercise(db, slug))?.asset_version !== exercise.asset_version) {
        deps.logger?.info(
          { exercise: slug, language },
          'preview superseded while rendering; left to the newer version',
        );
        return { outcome: 'superseded-while-rendering', assetVersion: exercise.asset_version };
      }
      await putEvent(deps, {
        type: 'render-failed',
        exercise: slug,
        language,
        assetVersion: exercise.asset_version,
        error: (error as Error).message,
        ...noticeFields(exercise),
      }).catch(() => {});
      throw error;
    }
  }

  // The catalog shows the manifest's first language. Whoever finishes the last preview offers it,
  // so a preview left to another consumer that is published by now needs no second round; only one
  // still rendering sends this message back for a later look, in case that consumer dies. Its
  // render cannot be taken over before its lease runs out, so the look comes just after that, not
  // every few seconds (each look is a listing and a message for nothing while the lease is live).
  const ready = leftToOthers === 0 ? previews : await publishedPreviews(db, exercise, manifest);
  if (ready === undefined) {
    return {
      outcome: 'deferred',
      delaySeconds: takeoverDelaySeconds(soonestTakeover),
      ...(request.force && bumped ? { forcedVersion: exercise.asset_version } : {}),
    };
  }
  const primary = ready.find((preview) => preview.language === manifest.languages[0]);
  if (primary) {
    // Only while that version is current: a newer bump must not be pointed back at an older render.
    // A ready render becomes the preview now; an encoding one once Bunny can play it.
    await offerCatalogRender(db, {
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

/** The languages starting at `offset` (wrapping round), so copies of one message start apart. */
export function rotate<T>(items: readonly T[], offset: number): T[] {
  if (items.length === 0) return [];
  const start = ((Math.trunc(offset) % items.length) + items.length) % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/**
 * Seconds left on the lease another consumer holds on this current-version preview, or undefined
 * when nobody else is rendering it.
 */
async function renderingElsewhere(
  db: CatalogDb,
  exercise: ExerciseRow,
  owner: string,
  language: string,
  hash: string,
): Promise<number | undefined> {
  return leaseSecondsLeftElsewhere(db, {
    exerciseId: exercise.id,
    assetVersion: exercise.asset_version,
    language,
    recipeHash: hash,
    owner,
  });
}

/**
 * Every language's catalog preview of the current asset version in one of `statuses` (rendered
 * here or by another consumer), or undefined while one of them is not.
 */
async function previewsIn(
  db: CatalogDb,
  exercise: ExerciseRow,
  manifest: Manifest,
  statuses: readonly string[],
): Promise<PreviewResult[] | undefined> {
  const rows = await listVersionRenders(db, exercise.id, exercise.asset_version, statuses);
  const previews: PreviewResult[] = [];
  for (const language of manifest.languages) {
    const hash = recipeHash(catalogPreviewRecipe(manifest, language));
    const row = rows.find((candidate) => candidate.language === language && candidate.recipe_hash === hash);
    if (!row) return undefined;
    previews.push({ language, renderId: Number(row.id), cached: true });
  }
  return previews;
}

/** Every language's preview of the current version uploaded (ready, or encoding at Bunny), or undefined. */
function publishedPreviews(db: CatalogDb, exercise: ExerciseRow, manifest: Manifest) {
  return previewsIn(db, exercise, manifest, ['ready', 'encoding']);
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

function isLeaseLost(error: unknown): boolean {
  return error instanceof PipelineError && error.code === 'RENDER_LEASE_LOST';
}

function isCurrent(exercise: ExerciseRow, fingerprint: string): boolean {
  return (
    exercise.status === 'active' && exercise.asset_fingerprint === fingerprint && exercise.asset_version > 0
  );
}

/**
 * Whether every language's preview of the current version is published (ready, or encoding at
 * Bunny) and the catalog points at the first language's one, or waits for it to play.
 */
async function previewsPublished(db: CatalogDb, exercise: ExerciseRow, manifest: Manifest): Promise<boolean> {
  const primary = (await publishedPreviews(db, exercise, manifest))?.[0]?.renderId;
  return (
    primary !== undefined &&
    (exercise.catalog_render_id === primary || exercise.next_catalog_render_id === primary)
  );
}

/** What ties a catalog preview's event to the sync it renders (see previewNoticeFields in shared). */
function noticeFields(exercise: ExerciseRow): { catalogPreview: true; fingerprint?: string } {
  return { catalogPreview: true, ...optional('fingerprint', exercise.asset_fingerprint ?? undefined) };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

async function putEvent(deps: RefreshDeps, event: Parameters<typeof toPutEventsEntry>[1]): Promise<void> {
  if (!deps.events) return;
  await deps.events.send(new PutEventsCommand({ Entries: [toPutEventsEntry(deps.eventBusName, event)] }));
}
