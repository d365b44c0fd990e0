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
 * `--help`, `-h` and `help` print the usage on stdout (exit 0); no command at all prints it on
 * stderr and an unknown one names it first, both exiting 2, the code for refused input.
 */
export async function runCli({ program, commands, argv, io, footer }: RunCliOptions): Promise<number> {
  // The pinned AWS SDK warns on every start that its releases after early January 2027 need
  // Node.js 22 (the README records the pin); on stderr that line breaks the structured log stream.
  // An operator who wants to see it sets the variable to false.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [name, ...rest] = argv;
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
