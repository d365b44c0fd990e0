import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  isRecord,
  isValidSlug,
  type Recipe,
  RecipeInvalidError,
  recipeHash,
  recipeSchema,
  SingleFlight,
  toFieldIssues,
  validateRecipe,
} from '@exercise-pipeline/shared';
import type { Queryable } from '../catalog/database.js';
import { type ExerciseRow, findExercise } from '../catalog/exercises.js';
import {
  claimRender,
  clearRenderVideo,
  ensureRenderRow,
  findRender,
  getRender,
  leaseSecondsLeft,
  markRenderEncodingIfHeld,
  markRenderFailed,
  markRenderReadyIfHeld,
  type RenderKey,
  type RenderRow,
  recordRenderVideo,
} from '../catalog/renders.js';
import { type BundleSource, readBundle } from '../compose/bundle-source.js';
import type { ComposeRecipeOptions, ComposeResult } from '../compose/compose.js';
import { thumbnailTimeMs } from '../compose/thumbnail-time.js';
import type { Publisher } from '../publish/publisher.js';
import {
  ExerciseNotComposableError,
  ExerciseNotFoundError,
  RenderFailedError,
  RenderLeaseLostError,
  RenderWaitTimeoutError,
} from './errors.js';
import { keepLease } from './lease-keeper.js';

/** What EnsureRender needs from the composer; `composeRecipe` fits, and so does a test double. */
export type ComposeFn = (
  options: ComposeRecipeOptions,
) => Promise<
  Pick<ComposeResult, 'path' | 'durationSeconds' | 'recipeHash'> & Partial<Pick<ComposeResult, 'segments'>>
>;

/** One finished render attempt, for metrics and logs. */
export interface RenderReport {
  exercise: string;
  language: string;
  recipeHash: string;
  assetVersion: number;
  outcome: 'ready' | 'failed';
  /** Compose plus publish, in seconds. */
  seconds: number;
  error?: unknown;
}

export interface EnsureRenderLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface EnsureRenderOptions {
  db: Queryable;
  /** Opens an exercise's bundle (S3 through the download cache in production). */
  bundleSourceFor: (slug: string) => BundleSource | Promise<BundleSource>;
  compose: ComposeFn;
  publisher: Publisher;
  /** DATA_DIR; renders are written to `{dataDir}/tmp/renders/` until published. */
  dataDir: string;
  /** This process's lease owner id; default `{host}:{pid}:{random}` (see createLeaseOwner). */
  owner?: string;
  /** How long a lease lasts without renewal; default 60 s. */
  leaseSeconds?: number;
  /** How often the lease is renewed while rendering; default a third of leaseSeconds. */
  leaseRenewMs?: number;
  /** How long to wait for a render another process holds before giving up; default 10 min. */
  waitTimeoutMs?: number;
  /** How often a render held by another process is re-read; default 1 s. */
  pollMs?: number;
  /** Aborts every running render (process shutdown). */
  signal?: AbortSignal;
  /** Seconds after an upload to Bunny before the transcode poll first asks about it; default 5. */
  firstTranscodeCheckSeconds?: number;
  logger?: EnsureRenderLogger;
  /** Called after every render attempt this process made (not for cache hits). */
  onRendered?: (report: RenderReport) => void;
}

export interface EnsureRenderRequest {
  /** The recipe as received (HTTP body, catalog preview); validated here against the bundle. */
  recipeInput: unknown;
  /** The exercise slug; default the recipe's own `exercise` field. */
  exercise?: string;
  /** Marks the render as an exercise's catalog preview (its transcode's outcome is announced). */
  catalogPreview?: boolean;
}

export interface EnsuredRender {
  /**
   * The published `exercise_renders` row: `ready`, or `encoding` while the target still makes it
   * playable (Bunny); the transcode watcher makes it ready or failed later.
   */
  render: RenderRow;
  exercise: ExerciseRow;
  recipe: Recipe;
  recipeHash: string;
  /**
   * True when a published (ready or encoding) render already existed when the request looked it up,
   * so nothing was rendered for it; false when it was rendered for this request (or for an identical
   * one it joined).
   */
  cached: boolean;
}

/**
 * What `tryEnsure` answers instead of waiting: the render is being rendered right now by another
 * process (or by another caller in this one), under a lease that runs out in `leaseSecondsLeft`.
 */
export interface RenderHeldElsewhere {
  heldElsewhere: true;
  renderId: number | undefined;
  leaseSecondsLeft: number;
}

export function isHeldElsewhere(result: EnsuredRender | RenderHeldElsewhere): result is RenderHeldElsewhere {
  return 'heldElsewhere' in result;
}

export function createLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * EnsureRender: the one way a recipe becomes a published render, shared by the compose API and the
 * queue consumer. A ready render of the same recipe hash, language and asset version is reused;
 * identical requests in this process share one render, and across processes the render row's
 * lease decides who renders while the others wait for the row to become ready.
 */
export class EnsureRender {
  readonly owner: string;
  readonly #options: EnsureRenderOptions;
  readonly #flights = new SingleFlight<EnsuredRender | RenderHeldElsewhere>();
  readonly #leaseSeconds: number;

  constructor(options: EnsureRenderOptions) {
    this.#options = options;
    this.owner = options.owner ?? createLeaseOwner();
    this.#leaseSeconds = options.leaseSeconds ?? 60;
  }

  /** Renders in flight in this process. */
  get inFlight(): number {
    return this.#flights.size;
  }

  /** Resolves once every render running now has finished. */
  drain(): Promise<void> {
    return this.#flights.drain();
  }

  /**
   * Throws RecipeInvalidError (every field-level reason), ExerciseNotFoundError,
   * ExerciseNotComposableError, ManifestInvalidError, the composer's and publisher's errors, or
   * RenderFailedError / RenderWaitTimeoutError / RenderLeaseLostError (all retryable).
   */
  async ensure(request: EnsureRenderRequest): Promise<EnsuredRender> {
    for (;;) {
      // Only a flight started by tryEnsure answers "held elsewhere"; this one then waits itself.
      const result = await this.#attempt(request, true);
      if (!isHeldElsewhere(result)) return result;
    }
  }

  /**
   * As `ensure`, but never waits for a render another process holds (nor one already running in
   * this process): it answers RenderHeldElsewhere at once, so the caller can do other work instead
   * of sitting idle until that render ends.
   */
  tryEnsure(request: EnsureRenderRequest): Promise<EnsuredRender | RenderHeldElsewhere> {
    return this.#attempt(request, false);
  }

  async #attempt(request: EnsureRenderRequest, wait: boolean): Promise<EnsuredRender | RenderHeldElsewhere> {
    const input = request.recipeInput;
    const slug = request.exercise ?? (isRecord(input) ? input.exercise : undefined);
    if (!isValidSlug(slug)) throw new RecipeInvalidError(shapeIssues(input));
    const exercise = await findExercise(this.#options.db, slug);
    if (!exercise || exercise.status === 'archived') {
      throw new ExerciseNotFoundError(slug, exercise ? 'archived' : 'unknown');
    }
    if (exercise.kind !== 'reps_based') throw new ExerciseNotComposableError(slug);

    const source = await this.#options.bundleSourceFor(slug);
    const bundle = await readBundle(source);
    const validation = validateRecipe(input, bundle.manifest, bundle.variants);
    if (!validation.ok) throw new RecipeInvalidError(validation.reasons);
    const recipe = validation.recipe;
    const key: RenderKey = {
      exerciseId: exercise.id,
      recipeHash: recipeHash(recipe),
      language: recipe.language,
      assetVersion: exercise.asset_version,
    };
    const flightKey = `${key.exerciseId}/${key.recipeHash}/${key.language}/${key.assetVersion}`;
    const catalogPreview = request.catalogPreview === true;
    if (!wait && this.#flights.has(flightKey)) {
      return { heldElsewhere: true, renderId: undefined, leaseSecondsLeft: this.#leaseSeconds };
    }
    return this.#flights.run(flightKey, () =>
      this.#ensureKey(key, exercise, recipe, source, catalogPreview, wait),
    ).promise;
  }

  async #ensureKey(
    key: RenderKey,
    exercise: ExerciseRow,
    recipe: Recipe,
    source: BundleSource,
    catalogPreview: boolean,
    wait: boolean,
  ): Promise<EnsuredRender | RenderHeldElsewhere> {
    const { db } = this.#options;
    const done = (render: RenderRow, cached: boolean): EnsuredRender => ({
      render,
      exercise,
      recipe,
      recipeHash: key.recipeHash,
      cached,
    });
    const existing = await findRender(db, key);
    if (existing && isPublished(existing) && (existing.catalog_preview || !catalogPreview)) {
      return done(existing, true);
    }

    const row =
      existing && !catalogPreview ? existing : await ensureRenderRow(db, key, recipe, catalogPreview);
    if (isPublished(row)) return done(row, true);
    const waitTimeoutMs = this.#options.waitTimeoutMs ?? 600_000;
    const pollMs = this.#options.pollMs ?? 1000;
    const started = Date.now();
    let waited = false;
    // Time spent waiting on another process's lease holds this caller idle: worth a log line.
    const waitedFor = () => {
      if (waited) {
        this.#options.logger?.info(
          { renderId: row.id, waitedMs: Date.now() - started },
          'waited for a render another consumer held',
        );
      }
    };
    for (;;) {
      const current = await getRender(db, row.id);
      if (!current) throw new RenderLeaseLostError(row.id, 'was removed from the catalog while waiting');
      if (isPublished(current)) {
        waitedFor();
        return done(current, false);
      }
      if (current.status === 'superseded' || current.status === 'deleted') {
        throw new RenderLeaseLostError(row.id, `was ${current.status} by a newer asset version`);
      }
      // A failure that happened before we came is retried below; one we watched happen is reported,
      // so a recipe that cannot render is not rendered again by every waiter in turn.
      if (current.status === 'failed' && waited) throw new RenderFailedError(row.id, current.error);
      const claimed = await claimRender(db, row.id, this.owner, this.#leaseSeconds);
      if (claimed) {
        waitedFor();
        return done(await this.#renderClaimed(claimed, exercise, recipe, source), false);
      }
      if (!wait) {
        return {
          heldElsewhere: true,
          renderId: row.id,
          leaseSecondsLeft: await leaseSecondsLeft(db, row.id),
        };
      }
      if (Date.now() - started >= waitTimeoutMs) {
        throw new RenderWaitTimeoutError(row.id, Date.now() - started);
      }
      waited = true;
      await sleep(pollMs, undefined, { signal: this.#options.signal });
    }
  }

  /**
   * A row that already names a video was being published by a consumer that died (or it is a failed
   * attempt's): that video belongs to no render any more, so it goes before a new one is made.
   */
  async #removeLeftover(row: RenderRow): Promise<void> {
    const videoId = row.bunny_video_id;
    if (videoId === null) return;
    const { deleted } = await this.#options.publisher.delete(videoId);
    await clearRenderVideo(this.#options.db, row.id, this.owner);
    this.#options.logger?.info(
      { renderId: row.id, videoId, deleted },
      'removed the video an earlier attempt left behind',
    );
  }

  async #renderClaimed(
    row: RenderRow,
    exercise: ExerciseRow,
    recipe: Recipe,
    source: BundleSource,
  ): Promise<RenderRow> {
    const { db, publisher, logger } = this.#options;
    const controller = new AbortController();
    const signals = [controller.signal, ...(this.#options.signal ? [this.#options.signal] : [])];
    const lease = keepLease({
      db,
      renderId: row.id,
      owner: this.owner,
      leaseSeconds: this.#leaseSeconds,
      ...(this.#options.leaseRenewMs === undefined ? {} : { intervalMs: this.#options.leaseRenewMs }),
      onLost: (reason) => controller.abort(new RenderLeaseLostError(row.id, reason)),
    });
    const tmpDir = path.join(this.#options.dataDir, 'tmp', 'renders');
    const outPath = path.join(tmpDir, `${row.id}-${randomUUID()}.mp4`);
    const started = performance.now();
    const report = (outcome: RenderReport['outcome'], error?: unknown) =>
      this.#options.onRendered?.({
        exercise: exercise.slug,
        language: row.language,
        recipeHash: row.recipe_hash,
        assetVersion: row.asset_version,
        outcome,
        seconds: (performance.now() - started) / 1000,
        ...(error === undefined ? {} : { error }),
      });
    logger?.info({ renderId: row.id, exercise: exercise.slug, language: row.language }, 'render started');
    try {
      await this.#removeLeftover(row);
      await mkdir(tmpDir, { recursive: true });
      const composed = await this.#options.compose({
        source,
        recipeInput: recipe,
        assetVersion: row.asset_version,
        outPath,
        signal: AbortSignal.any(signals),
      });
      const published = await publisher.publish({
        filePath: composed.path,
        exercise: exercise.slug,
        language: row.language,
        recipeHash: row.recipe_hash,
        assetVersion: row.asset_version,
        durationSeconds: composed.durationSeconds,
        signal: AbortSignal.any(signals),
        ...thumbnailOf(composed.segments),
        onVideoCreated: async (videoId) => {
          if (!(await recordRenderVideo(db, row.id, this.owner, videoId))) {
            throw new RenderLeaseLostError(row.id, 'was superseded or taken over before its upload');
          }
        },
      });
      // A row superseded (or taken over) while we rendered must not be marked ready by us: the
      // published video would belong to nobody, so it is removed again.
      if (!(await lease.confirm())) {
        await publisher.delete(published.videoId).catch(() => {});
        throw new RenderLeaseLostError(row.id, 'was superseded or taken over while rendering');
      }
      const fields = {
        bunnyVideoId: published.videoId,
        playbackUrl: published.playbackUrl,
        durationSeconds: composed.durationSeconds,
      };
      // Uploaded is not playable: a render the target still processes is `encoding` until the
      // transcode watcher hears it finished (or failed).
      const ready =
        published.state === 'ready'
          ? await markRenderReadyIfHeld(db, row.id, this.owner, fields)
          : await markRenderEncodingIfHeld(db, row.id, this.owner, {
              ...fields,
              firstCheckSeconds: this.#options.firstTranscodeCheckSeconds ?? 5,
            });
      if (!ready) {
        await publisher.delete(published.videoId).catch(() => {});
        throw new RenderLeaseLostError(
          row.id,
          'was superseded or taken over just before it was marked ready',
        );
      }
      report('ready');
      logger?.info(
        { renderId: row.id, videoId: published.videoId, status: ready.status },
        ready.status === 'ready' ? 'render ready' : 'render uploaded; waiting for the transcode',
      );
      return ready;
    } catch (error) {
      const failure = controller.signal.aborted ? controller.signal.reason : error;
      // Only a render we still hold is ours to mark failed; a lost lease belongs to someone else now.
      if (!lease.lost) await markRenderFailed(db, row.id, errorMessage(failure)).catch(() => {});
      report('failed', failure);
      logger?.warn({ renderId: row.id, err: failure }, 'render failed');
      throw failure;
    } finally {
      await lease.stop();
      await rm(outPath, { force: true }).catch(() => {});
    }
  }
}

/** Published to the target: playable now, or once the target's transcode finishes. */
function isPublished(row: RenderRow): boolean {
  return row.status === 'ready' || row.status === 'encoding';
}

function thumbnailOf(segments: ComposeResult['segments'] | undefined): { thumbnailTimeMs?: number } {
  const time = segments === undefined ? undefined : thumbnailTimeMs(segments);
  return time === undefined ? {} : { thumbnailTimeMs: time };
}

/** Every shape problem of a recipe whose exercise cannot even be looked up. */
function shapeIssues(input: unknown): RecipeInvalidError['reasons'] {
  const parsed = recipeSchema.safeParse(input);
  if (!parsed.success) return toFieldIssues(parsed.error);
  return [{ field: 'exercise', message: 'expected an exercise slug such as "squat"' }];
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
