// The light subpath, not the package barrel: the usage text must not pay for pino and zod.
import { type CliCommand, EXIT, isEntryPoint, lazyCommand, programMain } from '@exercise-pipeline/shared/cli';

/**
 * The daemon lives in watch/ and is loaded only when asked for, so `plan`/`ingest`/`validate` never
 * pay for (or fail on) the watcher's dependencies. The module exports `watchCommand: CliCommand`.
 */
const WATCH_MODULE = './watch/watch-command.js';

const watchCommand: CliCommand = {
  summary: 'watch a drop folder and ingest every delivery once it is complete (the daemon)',
  async run(args, io) {
    let loaded: { watchCommand?: CliCommand };
    try {
      loaded = (await import(WATCH_MODULE)) as { watchCommand?: CliCommand };
    } catch (error) {
      io.stderr.write(
        `the watch command is not available in this installation (${error instanceof Error ? error.message : String(error)})\n`,
      );
      return EXIT.failure;
    }
    if (loaded.watchCommand === undefined) {
      io.stderr.write(`${WATCH_MODULE} does not export watchCommand; the installation is incomplete\n`);
      return EXIT.failure;
    }
    return loaded.watchCommand.run(args, io);
  },
};

/**
 * `exercise-agent <command> …`. Exit codes for every command: 0 done, 2 the input was refused
 * (reasons printed), 1 failure. Each command's module is imported only when it runs (see
 * lazyCommand in the shared package), so the summaries here must match the commands' own.
 */
export const COMMANDS: Record<string, CliCommand> = {
  plan: lazyCommand(
    'show what an ingest would rename, extract and upload (reads only)',
    async () => (await import('./cli/plan-command.js')).planCommand,
  ),
  ingest: lazyCommand(
    'ingest one delivery folder once (rename, extract, validate, upload, report)',
    async () => (await import('./cli/ingest-command.js')).ingestCommand,
  ),
  validate: lazyCommand(
    'check a hand-made convention bundle directory (reads only)',
    async () => (await import('./cli/validate-command.js')).validateCommand,
  ),
  watch: watchCommand,
};

const FOOTER = [
  'Run `exercise-agent <command> --help` for its options. `--json` prints one JSON document on',
  'stdout; logs go to stderr. Exit: 0 done, 2 refused (with reasons), 1 failure.',
];

export const main = programMain({
  program: 'exercise-agent',
  commands: COMMANDS,
  packageJsonUrl: new URL('../package.json', import.meta.url),
  footer: FOOTER,
});

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
