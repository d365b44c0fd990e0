import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCatalogCommand } from './cli/catalog-command.js';
import { createComposeCommand } from './cli/compose-command.js';
import { createDlqCommand } from './cli/dlq-command.js';
import { createImportCommand } from './cli/import-command.js';
import { createSweepCommand } from './cli/sweep-command.js';
import type { CliCommand, CliIo } from './cli/types.js';

/**
 * `exercise-consumer <command> …`. Exit codes for every command: 0 done, 2 the input was refused
 * (reasons printed), 1 failure. Commands are added to this table as they are built.
 */
export const COMMANDS: Record<string, CliCommand> = {
  compose: createComposeCommand({}),
  catalog: createCatalogCommand(),
  dlq: createDlqCommand(),
  sweep: createSweepCommand(),
  import: createImportCommand(),
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
  const command = commands[name];
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
