import { type FlagSpecs, type FlagValues, parseCommandLine } from './flags.js';
import { writeJson, writeJsonError } from './json-output.js';
import { type CliCommand, type CliIo, EXIT } from './types.js';

/** What a command's `run` gets: its parsed flags and positionals, and the one way to refuse its input. */
export interface CommandContext<S extends FlagSpecs> {
  flags: FlagValues<S>;
  positionals: string[];
  io: CliIo;
  /** `--json` was given: print exactly one JSON document on stdout. */
  json: boolean;
  /**
   * Exit 2 for input the command cannot use: `problem`, a blank line and the usage on stderr, and
   * with `--json` `{error: {code: "INPUT_REFUSED", message, reasons: [{field, message}]}}` on stdout.
   */
  usageError(problem: string, field?: string): number;
  /** Prints `value` as the command's one JSON document. */
  writeJson(value: unknown): void;
}

export interface CommandDefinition<S extends FlagSpecs> {
  /** One line for the program's usage text. */
  summary: string;
  /** The text `--help` prints on stdout (exit 0) and a usage error prints after its problem. */
  usage: string;
  /** The flags besides `--help`/`-h` (every command's) and `--json` (see `json`). */
  flags: S;
  /** Accept `--json`; default false. */
  json?: boolean;
  run(context: CommandContext<S>): Promise<number>;
}

/** A command built by defineCommand: the usage text stays reachable for tests and the program. */
export interface DefinedCommand extends CliCommand {
  readonly usage: string;
}

const JSON_FLAG = { json: { type: 'boolean' } } as const;

/**
 * The one way both programs define a command: its flags are parsed and checked before `run`
 * (an unknown flag, a missing value or a bad number is exit 2 with one line naming the flag and
 * the fix, then the usage), `--help` prints the usage, and `--json` means one JSON document on
 * stdout for results and refusals alike.
 */
export function defineCommand<S extends FlagSpecs>(definition: CommandDefinition<S>): DefinedCommand {
  const { summary, usage } = definition;
  const specs = (definition.json === true ? { ...definition.flags, ...JSON_FLAG } : definition.flags) as S;
  return {
    summary,
    usage,
    async run(args: string[], io: CliIo): Promise<number> {
      const parsed = parseCommandLine(args, specs);
      // A refused command line still answers a script that asked for JSON in JSON.
      const json =
        definition.json === true && (parsed.ok ? parsed.flags.json === true : args.includes('--json'));
      const usageError = (problem: string, field = 'arguments') => {
        io.stderr.write(`${problem.replace(/[\r\n]+/g, ' ')}\n\n${usage}`);
        if (json)
          writeJsonError(io.stdout, {
            code: 'INPUT_REFUSED',
            message: problem,
            reasons: [{ field, message: problem }],
          });
        return EXIT.refused;
      };
      if (!parsed.ok) return usageError(parsed.problem, parsed.flag);
      if (parsed.help) {
        io.stdout.write(usage);
        return EXIT.done;
      }
      return definition.run({
        flags: parsed.flags,
        positionals: parsed.positionals,
        io,
        json,
        usageError,
        writeJson: (value) => writeJson(io.stdout, value),
      });
    },
  };
}
