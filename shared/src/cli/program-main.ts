import { packageVersion } from './package-version.js';
import { runCli } from './run-cli.js';
import type { CliCommand, CliIo } from './types.js';

export interface ProgramOptions {
  /** The program's name as the user types it, e.g. `exercise-agent`. */
  program: string;
  /** Command name → command; the usage text lists them in this order. */
  commands: Readonly<Record<string, CliCommand>>;
  /** The package.json whose `version` `--version` prints. */
  packageJsonUrl: URL;
  /** The lines after the command list in the usage text (see runCli). */
  footer?: readonly string[];
}

/** The process's own streams and environment: what a program's `main` uses unless a test passes others. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * The `main(argv, io?, commands?)` of a program: dispatches to its commands with the package's
 * version, and resolves with the exit code. Tests pass their own streams and command table.
 */
export function programMain(
  options: ProgramOptions,
): (argv: readonly string[], io?: CliIo, commands?: Readonly<Record<string, CliCommand>>) => Promise<number> {
  return async (argv, io = processIo(), commands = options.commands) => {
    const version = packageVersion(options.packageJsonUrl);
    return runCli({
      program: options.program,
      commands,
      argv,
      io,
      version,
      ...(options.footer === undefined ? {} : { footer: options.footer }),
    });
  };
}
