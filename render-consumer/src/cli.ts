import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExerciseSourceFactory } from './cli/compose-command.js';
import { type LazyCliCommand, lazyCommand } from './cli/lazy-command.js';
import type { CliCommand, CliIo } from './cli/types.js';

/** The S3 source pulls in the AWS SDK and the catalog; only `compose --exercise` needs them. */
const openExerciseSource: ExerciseSourceFactory = async (slug, context) =>
  (await import('./cli/exercise-source.js')).openExerciseSource(slug, context);

/**
 * `exercise-consumer <command> …`. Exit codes for every command: 0 done, 2 the input was refused
 * (reasons printed), 1 failure. Each command's module is imported only when it runs (see
 * lazy-command.ts), so the summaries here must match the commands' own.
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
  import: lazyCommand("publish a duration-based exercise's pre-baked mp4", async () =>
    (await import('./cli/import-command.js')).createImportCommand(),
  ),
};

function usage(commands: Record<string, CliCommand>): string {
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`);
  return [
    'usage: exercise-consumer <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'Run `exercise-consumer <command> --help` for its options.',
    '',
  ].join('\n');
}

export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
  commands: Record<string, CliCommand> = COMMANDS,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(usage(commands));
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.stderr.write(`unknown command ${JSON.stringify(name)}\n\n${usage(commands)}`);
    return 2;
  }
  return command.run(rest, io);
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await main(process.argv.slice(2));
}
