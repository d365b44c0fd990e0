import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  abortOnStopSignals,
  assertManifest,
  type CliIo,
  type DefinedCommand,
  defineCommand,
  configOrExit,
  createLogger,
  EXIT,
  type FieldIssue,
  type Logger,
  ManifestInvalidError,
  type PipelineConfig,
  PipelineError,
  RecipeInvalidError,
  writeJson,
  writeJsonError,
} from '@exercise-pipeline/shared';
import type { BundleSource } from '../compose/bundle-source.js';
import { type ComposeResult, composeRecipe } from '../compose/compose.js';
import { LocalBundleSource } from '../compose/local-bundle-source.js';
import { loudnessTargetOf } from '../compose/loudness.js';
import { ProbeCache } from '../compose/probe-cache.js';
import { directoryProbeStore } from '../compose/probe-store.js';
import { COMPOSE_FLAGS, COMPOSE_USAGE, type ComposeRequest, composeRequest } from './compose-args.js';

/** Opens an exercise's bundle in the assets bucket, with the asset version the catalog holds for it. */
export type ExerciseSourceFactory = (
  slug: string,
  context: { config: PipelineConfig; logger: Logger },
) => Promise<{ source: BundleSource; assetVersion: number }>;

export interface BundleSourceFactories {
  /** `--bundle <dir>`; default LocalBundleSource. */
  bundle?: (dir: string) => BundleSource;
  /** `--exercise <slug>`; without it that flag fails, naming what is missing. */
  exercise?: ExerciseSourceFactory;
}

/** Without --asset-version a local bundle renders as the first version an exercise gets. */
const LOCAL_ASSET_VERSION = 1;

export function createComposeCommand(factories: BundleSourceFactories): DefinedCommand {
  return defineCommand({
    summary: 'render one recipe from a bundle to a file, without publishing',
    usage: COMPOSE_USAGE,
    flags: COMPOSE_FLAGS,
    json: true,
    async run({ flags, positionals, io, json, usageError }) {
      if (positionals.length > 0) {
        return usageError(
          `unexpected argument ${JSON.stringify(positionals[0])}: compose takes flags only; see --help`,
        );
      }
      return runCompose(composeRequest(flags, json), io, factories);
    },
  });
}

async function runCompose(
  { request, reasons }: ReturnType<typeof composeRequest>,
  io: CliIo,
  factories: BundleSourceFactories,
): Promise<number> {
  const report = createReporter(io, request.json);
  if (request.bundleDir !== undefined) reasons.push(...(await bundleDirProblems(request.bundleDir)));
  if (reasons.length > 0) return report.refused(reasons);

  const config = configOrExit(io.env);
  const logger = createLogger({ name: 'render-consumer', level: config.logLevel, destination: io.stderr });
  const interrupt = abortOnStopSignals(() => new Error('interrupted'));
  try {
    const opened = await openSource(request, factories, config, logger);
    if (!opened) {
      return report.failed(
        'MISSING_S3_SOURCE',
        'compose --exercise needs the S3 bundle source, which this build does not include yet; ' +
          'render a local bundle with --bundle <dir>',
      );
    }
    const exercise =
      request.exercise ??
      assertManifest(await opened.source.readManifest(), opened.source.describe('manifest.json')).exercise;
    const recipeInput = { exercise, ...request.recipe };
    const result = await composeRecipe({
      source: opened.source,
      recipeInput,
      assetVersion: request.assetVersion ?? opened.assetVersion,
      outPath: request.out ?? defaultOutPath(config.dataDir, exercise, request),
      // One render per process: only a cache on disk spares the next run its ffprobes.
      probeCache: new ProbeCache({ store: directoryProbeStore(path.join(config.dataDir, 'probe-cache')) }),
      logger,
      loudness: loudnessTargetOf(config),
      signal: interrupt.signal,
    });
    return report.done(result);
  } catch (error) {
    if (error instanceof RecipeInvalidError) return report.refused(withSetReasons(error.reasons, request));
    if (error instanceof ManifestInvalidError) return report.refused(error.issues, error.message);
    if (error instanceof PipelineError) return report.failed(error.code, error.message);
    logger.error({ err: error }, 'compose failed unexpectedly');
    return report.failed('UNEXPECTED', error instanceof Error ? error.message : String(error));
  } finally {
    interrupt.dispose();
  }
}

async function openSource(
  request: ComposeRequest,
  factories: BundleSourceFactories,
  config: PipelineConfig,
  logger: Logger,
): Promise<{ source: BundleSource; assetVersion: number } | undefined> {
  if (request.bundleDir !== undefined) {
    const open = factories.bundle ?? ((dir: string) => new LocalBundleSource(dir));
    return { source: open(request.bundleDir), assetVersion: LOCAL_ASSET_VERSION };
  }
  if (request.exercise === undefined || factories.exercise === undefined) return undefined;
  return factories.exercise(request.exercise, { config, logger });
}

async function bundleDirProblems(dir: string): Promise<FieldIssue[]> {
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory()) return [];
  return [
    { field: 'bundle', message: `${JSON.stringify(dir)} is not a directory; pass a convention bundle dir` },
  ];
}

/** A --sets item that was not `side:reps` is reported as such, not again field by field by the recipe check. */
function withSetReasons(reasons: readonly FieldIssue[], request: ComposeRequest): FieldIssue[] {
  const malformed = request.setReasons.map((reason) => `${reason.field}.`);
  const kept = reasons.filter((reason) => !malformed.some((prefix) => reason.field.startsWith(prefix)));
  return [...request.setReasons, ...kept];
}

/** `$DATA_DIR/renders/<exercise>-<language>-<sets>-seed<n>.mp4`, every part reduced to safe characters. */
function defaultOutPath(dataDir: string, exercise: string, request: ComposeRequest): string {
  const sets = (request.recipe.sets ?? [])
    .map((set) => (typeof set === 'object' && set !== null ? Object.values(set).join('') : ''))
    .join('-');
  const name = [exercise, request.recipe.language ?? '', sets, `seed${String(request.recipe.seed ?? '')}`]
    .join('-')
    .replace(/[^A-Za-z0-9-]+/g, '_');
  return path.join(dataDir, 'renders', `${name}.mp4`);
}

function createReporter(io: CliIo, json: boolean) {
  const print = (document: unknown) => writeJson(io.stdout, document);
  return {
    done(result: ComposeResult): number {
      const { durationSeconds, recipeHash, path: file, mode, segments } = result;
      if (json) print({ durationSeconds, recipeHash, path: file, mode, segments });
      else io.stdout.write(`${file} (${durationSeconds.toFixed(3)} s, ${mode}, recipe ${recipeHash})\n`);
      return EXIT.done;
    },
    refused(reasons: readonly FieldIssue[], message = 'compose refused the input'): number {
      io.stderr.write(`${message}:\n${reasons.map((r) => `  ${r.field}: ${r.message}\n`).join('')}`);
      if (json) writeJsonError(io.stdout, { code: 'INPUT_REFUSED', message, reasons });
      return EXIT.refused;
    },
    failed(code: string, message: string): number {
      io.stderr.write(`compose failed: ${message}\n`);
      if (json) writeJsonError(io.stdout, { code, message });
      return EXIT.failure;
    },
  };
}
