import { type CliCommand, type CliIo, EXIT } from './types.js';

export interface RunCliOptions {
  /** The program's name as the user types it, e.g. `exercise-agent`. */
  program: string;
  /** Command name → command; the usage text lists them in this order. */
  commands: Readonly<Record<string, CliCommand>>;
  /** The arguments after the program name. */
  argv: readonly string[];
  io: CliIo;
  /**
   * The lines after the command list in the usage text. Default: one line pointing at
   * `<program> <command> --help`.
   */
  footer?: readonly string[];
  /** The program's version, printed by `--version` / `-V` as `<program> <version>`. */
  version?: string;
}

/** The usage text: the program's synopsis, one line per command, then the footer. */
function usageText(
  program: string,
  commands: Readonly<Record<string, CliCommand>>,
  footer: readonly string[] = [`Run \`${program} <command> --help\` for its options.`],
): string {
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`);
  return [`usage: ${program} <command> [options]`, '', 'commands:', ...lines, '', ...footer, ''].join('\n');
}

/**
 * Dispatches `<program> <command> …` to the named command and resolves with its exit code.
 * `--help`, `-h` and `help` print the usage on stdout (exit 0), `--version` and `-V` the program's
 * version when it has one (exit 0); no command at all prints it on
 * stderr and an unknown one names it first, both exiting 2, the code for refused input.
 */
export async function runCli({
  program,
  commands,
  argv,
  io,
  footer,
  version,
}: RunCliOptions): Promise<number> {
  const [name, ...rest] = argv;
  if (version !== undefined && (name === '--version' || name === '-V')) {
    io.stdout.write(`${program} ${version}\n`);
    return EXIT.done;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(usageText(program, commands, footer));
    return name === undefined ? EXIT.refused : EXIT.done;
  }
  // hasOwn, so `toString` or `__proto__` on the command line is an unknown command, not a crash.
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    io.stderr.write(`unknown command ${JSON.stringify(name)}\n\n${usageText(program, commands, footer)}`);
    return EXIT.refused;
  }
  return command.run(rest, io);
}
