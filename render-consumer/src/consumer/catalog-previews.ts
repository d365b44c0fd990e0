import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  catalogPreviewRecipe,
  type Logger,
  type Manifest,
  PipelineError,
  recipeHash,
  toPutEventsEntry,
} from '@exercise-pipeline/shared';
import type { CatalogDb } from '../catalog/database.js';
import { type ExerciseRow, findExercise } from '../catalog/exercises.js';
import { leaseSecondsLeftElsewhere, listVersionRenders } from '../catalog/renders.js';
import { type EnsuredRender, type EnsureRender, isHeldElsewhere } from '../render/ensure-render.js';
import { previewLink } from './preview-link.js';

/** What rendering an exercise's catalog previews needs (a part of RefreshDeps). */
export interface PreviewDeps {
  db: CatalogDb;
  /** `owner` tells this process's render leases from other consumers'. */
  ensureRender: Pick<EnsureRender, 'tryEnsure' | 'owner'>;
  /** Where "Render Ready"/"Render Failed" go; absent → no events (local tools). */
  events?: EventBridgeClient;
  eventBusName: string;
  /** The status page as people reach it: "Render Ready" of a local render links it (see previewLink). */
  statusPageUrl?: string;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

export interface PreviewResult {
  language: string;
  renderId: number;
  cached: boolean;
}

/** One pass over every language's catalog preview of the exercise's current version. */
export type PreviewRound =
  | {
      outcome: 'rendered';
      /** The previews this pass rendered or found cached. */
      previews: PreviewResult[];
      /** Previews another consumer is rendering right now, left to it. */
      leftToOthers: number;
      /** Seconds until the first lease left to another consumer could be taken over. */
      soonestTakeover: number;
    }
  /** A newer asset version superseded a preview while it rendered: that version renders it again. */
  | { outcome: 'superseded-while-rendering'; assetVersion: number };

type PreviewStep =
  | { kind: 'rendered'; preview: PreviewResult }
  | { kind: 'elsewhere'; leaseSecondsLeft: number }
  | { kind: 'superseded' };

/**
 * Renders every language's catalog preview of the current version, starting with the language at
 * `languageOffset`. A preview another consumer is rendering right now is left to it: waiting here
 * would hold this consumer idle while other exercises' messages queue up. It is looked up again
 * before every language, because another consumer may have taken one while this one rendered the
 * previous, and the claim itself never waits (tryEnsure) in case one took it just after the look.
 */
export async function renderCatalogPreviews(
  deps: PreviewDeps,
  exercise: ExerciseRow,
  manifest: Manifest,
  languageOffset: number,
): Promise<PreviewRound> {
  const previews: PreviewResult[] = [];
  let leftToOthers = 0;
  let soonestTakeover = Number.POSITIVE_INFINITY;
  for (const language of rotate(manifest.languages, languageOffset)) {
    const step = await renderCatalogPreview(deps, exercise, manifest, language);
    if (step.kind === 'superseded') {
      return { outcome: 'superseded-while-rendering', assetVersion: exercise.asset_version };
    }
    if (step.kind === 'elsewhere') {
      leftToOthers += 1;
      soonestTakeover = Math.min(soonestTakeover, step.leaseSecondsLeft);
      continue;
    }
    previews.push(step.preview);
  }
  return { outcome: 'rendered', previews, leftToOthers, soonestTakeover };
}

/** The languages starting at `offset` (wrapping round), so copies of one message start apart. */
export function rotate<T>(items: readonly T[], offset: number): T[] {
  if (items.length === 0) return [];
  const start = ((Math.trunc(offset) % items.length) + items.length) % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/** One language's preview: rendered (or cached), left to the consumer rendering it, or superseded. */
async function renderCatalogPreview(
  deps: PreviewDeps,
  exercise: ExerciseRow,
  manifest: Manifest,
  language: string,
): Promise<PreviewStep> {
  const recipe = catalogPreviewRecipe(manifest, language);
  const held = await leaseSecondsLeftElsewhere(deps.db, {
    exerciseId: exercise.id,
    assetVersion: exercise.asset_version,
    language,
    recipeHash: recipeHash(recipe),
    owner: deps.ensureRender.owner,
  });
  if (held !== undefined) return { kind: 'elsewhere', leaseSecondsLeft: held };
  try {
    const ensured = await deps.ensureRender.tryEnsure({
      exercise: exercise.slug,
      recipeInput: recipe,
      catalogPreview: true,
    });
    if (isHeldElsewhere(ensured)) return { kind: 'elsewhere', leaseSecondsLeft: ensured.leaseSecondsLeft };
    const preview = { language, renderId: ensured.render.id, cached: ensured.cached };
    // An encoding render is announced by the transcode watcher once Bunny can play it.
    if (!ensured.cached && ensured.render.status === 'ready') {
      await announceRenderReady(deps, exercise, language, ensured);
    }
    return { kind: 'rendered', preview };
  } catch (error) {
    // A newer asset version superseded this preview while it rendered: not a failure, the
    // newer version's own messages render it again.
    if (
      isLeaseLost(error) &&
      (await findExercise(deps.db, exercise.slug))?.asset_version !== exercise.asset_version
    ) {
      deps.logger?.info(
        { exercise: exercise.slug, language },
        'preview superseded while rendering; left to the newer version',
      );
      return { kind: 'superseded' };
    }
    await announceRenderFailed(deps, exercise, language, error as Error).catch(() => {});
    throw error;
  }
}

/** "Render Ready" of a preview rendered just now. */
function announceRenderReady(
  deps: PreviewDeps,
  exercise: ExerciseRow,
  language: string,
  ensured: EnsuredRender,
): Promise<void> {
  return putEvent(deps, {
    type: 'render-ready',
    exercise: exercise.slug,
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

function announceRenderFailed(
  deps: PreviewDeps,
  exercise: ExerciseRow,
  language: string,
  error: Error,
): Promise<void> {
  return putEvent(deps, {
    type: 'render-failed',
    exercise: exercise.slug,
    language,
    assetVersion: exercise.asset_version,
    error: error.message,
    ...noticeFields(exercise),
  });
}

/**
 * Every language's catalog preview of the current version uploaded (ready, or encoding at Bunny),
 * rendered here or by another consumer, or undefined while one of them is not.
 */
export async function publishedPreviews(
  db: CatalogDb,
  exercise: ExerciseRow,
  manifest: Manifest,
): Promise<PreviewResult[] | undefined> {
  const rows = await listVersionRenders(db, exercise.id, exercise.asset_version, ['ready', 'encoding']);
  const previews: PreviewResult[] = [];
  for (const language of manifest.languages) {
    const hash = recipeHash(catalogPreviewRecipe(manifest, language));
    const row = rows.find((candidate) => candidate.language === language && candidate.recipe_hash === hash);
    if (!row) return undefined;
    previews.push({ language, renderId: Number(row.id), cached: true });
  }
  return previews;
}

function isLeaseLost(error: unknown): boolean {
  return error instanceof PipelineError && error.code === 'RENDER_LEASE_LOST';
}

/** What ties a catalog preview's event to the sync it renders (see previewNoticeFields in shared). */
function noticeFields(exercise: ExerciseRow): { catalogPreview: true; fingerprint?: string } {
  return { catalogPreview: true, ...optional('fingerprint', exercise.asset_fingerprint ?? undefined) };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

async function putEvent(deps: PreviewDeps, event: Parameters<typeof toPutEventsEntry>[1]): Promise<void> {
  if (!deps.events) return;
  await deps.events.send(new PutEventsCommand({ Entries: [toPutEventsEntry(deps.eventBusName, event)] }));
}
