// The light subpath, not the package barrel: the usage text must not pay for pino and zod.
import { isEntryPoint, type LazyCliCommand, lazyCommand, programMain } from '@exercise-pipeline/shared/cli';
import type { ExerciseSourceFactory } from './cli/compose-command.js';

/** The S3 source pulls in the AWS SDK and the catalog; only `compose --exercise` needs them. */
const openExerciseSource: ExerciseSourceFactory = async (slug, context) =>
  (await import('./cli/exercise-source.js')).openExerciseSource(slug, context);

/**
 * `exercise-consumer <command> …`. Exit codes for every command: 0 done, 2 the input was refused
 * (reasons printed), 1 failure. Each command's module is imported only when it runs (see
 * lazyCommand in the shared package), so the summaries here must match the commands' own.
 */
export const COMMANDS: Record<string, LazyCliCommand> = {
  run: lazyCommand('consume the render queue and serve the HTTP API (the service)', async () =>
    (await import('./cli/run-command.js')).createRunCommand(),
  ),
  compose: lazyCommand('render one recipe from a bundle to a file, without publishing', async () =>
    (await import('./cli/compose-command.js')).createComposeCommand({ exercise: openExerciseSource }),
  ),
  catalog: lazyCommand("show an exercise's catalog row and its renders", async () =>
    (await import('./cli/catalog-command.js')).createCatalogCommand(),
  ),
  dlq: lazyCommand('list, show, redrive or purge dead-lettered messages', async () =>
    (await import('./cli/dlq-command.js')).createDlqCommand(),
  ),
  sweep: lazyCommand('delete superseded renders whose grace period ended', async () =>
    (await import('./cli/sweep-command.js')).createSweepCommand(),
  ),
  reconcile: lazyCommand(
    'compare the Bunny library with the catalog (--fix: delete orphans, mark lost videos)',
    async () => (await import('./cli/reconcile-command.js')).createReconcileCommand(),
  ),
  refresh: lazyCommand('ask the consumers to re-render an exercise (--force: even if unchanged)', async () =>
    (await import('./cli/refresh-command.js')).createRefreshCommand(),
  ),
  import: lazyCommand("publish a duration-based exercise's pre-baked mp4", async () =>
    (await import('./cli/import-command.js')).createImportCommand(),
  ),
};

export const main = programMain({
  program: 'exercise-consumer',
  commands: COMMANDS,
  packageJsonUrl: new URL('../package.json', import.meta.url),
});

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
