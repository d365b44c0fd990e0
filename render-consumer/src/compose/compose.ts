import path from 'node:path';
import { type Recipe, RecipeInvalidError, recipeHash, validateRecipe } from '@exercise-pipeline/shared';
import { type BundleSource, readBundle } from './bundle-source.js';
import { executeRender, prepareRender, renderArgsInput } from './execute.js';
import { buildConcatList, buildRenderArgs, type RenderArgsInput } from './ffmpeg-args.js';
import { DEFAULT_LOUDNESS_TARGET, type LoudnessTarget } from './loudness.js';
import { type ComposeLogger, defaultMediaRunner, type MediaRunner, silentLogger } from './media-runner.js';
import { ProbeCache, sharedProbeCache } from './probe-cache.js';
import { planTimeline } from './timeline.js';
import { roundMs, type SegmentSummary, summarizeSegments } from './timing.js';

export interface ComposeRecipeOptions {
  source: BundleSource;
  /** The recipe as received (CLI flags, HTTP body); validated here against the bundle. */
  recipeInput: unknown;
  /** The exercise's asset version; part of the seed of every variant choice. */
  assetVersion: number;
  /** Where the verified render is written (its directory is created). */
  outPath: string;
  /** Default: the shared runFfmpeg/probeMedia. */
  runner?: MediaRunner;
  /** Default: the process-wide cache, or a fresh one when a runner is given. */
  probeCache?: ProbeCache;
  /** Default: silent. */
  logger?: ComposeLogger;
  /**
   * What every voice-over is brought to (one gain per clip, inside the render's one audio encode);
   * `false` leaves them as delivered. Default DEFAULT_LOUDNESS_TARGET: -16 LUFS, peaks at most -1 dBTP.
   */
  loudness?: LoudnessTarget | false;
  signal?: AbortSignal;
}

export interface ComposeResult {
  path: string;
  durationSeconds: number;
  recipeHash: string;
  /** `copy` when every clip shared one format and the video was stream-copied; else `reencode`. */
  mode: 'copy' | 'reencode';
  segments: SegmentSummary[];
  recipe: Recipe;
  assetVersion: number;
}

/**
 * Renders one recipe from a bundle to `outPath`, without publishing it. Throws ManifestInvalidError
 * or RecipeInvalidError (input refused, every reason listed), BundleFileError naming a missing or
 * damaged file, or ComposeError when ffmpeg or the output check fails.
 */
export async function composeRecipe(options: ComposeRecipeOptions): Promise<ComposeResult> {
  const { recipe, hash, plan, bundle, runner, probeCache, logger, loudness } = await resolveRecipe(options);
  logger.info(
    {
      exercise: recipe.exercise,
      language: recipe.language,
      recipeHash: hash,
      assetVersion: options.assetVersion,
    },
    'composing',
  );
  const started = performance.now();
  const render = await executeRender({
    source: options.source,
    etags: bundle.etags,
    plan,
    outPath: options.outPath,
    runner,
    probeCache,
    logger,
    loudness,
    signal: options.signal,
  });
  const result: ComposeResult = {
    path: render.path,
    durationSeconds: roundMs(render.timeline.totalSeconds),
    recipeHash: hash,
    mode: render.mode,
    segments: summarizeSegments(render.timeline),
    recipe,
    assetVersion: options.assetVersion,
  };
  logger.info(
    {
      path: result.path,
      mode: result.mode,
      durationSeconds: result.durationSeconds,
      elapsedMs: Math.round(performance.now() - started),
    },
    'composed',
  );
  return result;
}

type ResolveOptions = Omit<ComposeRecipeOptions, 'outPath' | 'signal'>;

/** Reads the bundle, validates the recipe against it and plans the variant choices. */
async function resolveRecipe(options: ResolveOptions) {
  const logger = options.logger ?? silentLogger;
  const runner = options.runner ?? defaultMediaRunner;
  const probeCache = options.probeCache ?? (options.runner ? new ProbeCache() : sharedProbeCache());
  const bundle = await readBundle(options.source);
  const validation = validateRecipe(options.recipeInput, bundle.manifest, bundle.variants);
  if (!validation.ok) throw new RecipeInvalidError(validation.reasons);
  const recipe = validation.recipe;
  const hash = recipeHash(recipe);
  const plan = planTimeline({
    manifest: bundle.manifest,
    variants: bundle.variants,
    recipe,
    recipeHash: hash,
    assetVersion: options.assetVersion,
  });
  const loudness = options.loudness === false ? undefined : (options.loudness ?? DEFAULT_LOUDNESS_TARGET);
  return { recipe, hash, plan, bundle, runner, probeCache, logger, loudness };
}

export interface RenderCommandOptions extends ResolveOptions {
  /** Where the caller writes `concatList` (copy mode). */
  concatListPath: string;
  /** Where ffmpeg would write the render. */
  outPath: string;
}

export interface RenderCommand {
  mode: 'copy' | 'reencode';
  totalSeconds: number;
  recipeHash: string;
  /** The concat demuxer script for `concatListPath`; undefined in re-encode mode. */
  concatList: string | undefined;
  /** What `buildRenderArgs` was given, for callers that build a variant of the command. */
  renderInput: RenderArgsInput;
  /** ffmpeg's arguments, exactly as composeRecipe runs them for these paths. */
  args: string[];
}

/**
 * The ffmpeg invocation composeRecipe would run for a recipe, without running it: the same
 * validation, variant choices and probes, so timings and debugging can use the bare command.
 */
export async function planRenderCommand(options: RenderCommandOptions): Promise<RenderCommand> {
  const { hash, plan, bundle, runner, probeCache, logger, loudness } = await resolveRecipe(options);
  const prepared = await prepareRender({
    source: options.source,
    etags: bundle.etags,
    plan,
    runner,
    probeCache,
    logger,
    loudness,
  });
  const renderInput = renderArgsInput(
    prepared,
    path.resolve(options.concatListPath),
    path.resolve(options.outPath),
  );
  return {
    mode: prepared.mode,
    totalSeconds: prepared.timeline.totalSeconds,
    recipeHash: hash,
    concatList: prepared.mode === 'copy' ? buildConcatList(prepared.videos) : undefined,
    renderInput,
    args: buildRenderArgs(renderInput),
  };
}
