import {
  type CommandContext,
  type CommandDefinition,
  type DefinedCommand,
  defineCommand,
  type FlagSpecs,
} from '@exercise-pipeline/shared';
import { createReporter, type Reporter } from './ops-context.js';

/**
 * An operator command of `exercise-consumer`: it accepts `--json`, and `run` answers through a
 * Reporter whose messages start with the command's `name`.
 */
export function defineOpsCommand<S extends FlagSpecs>(
  name: string,
  definition: Omit<CommandDefinition<S>, 'json' | 'run'>,
  run: (context: CommandContext<S>, report: Reporter) => Promise<number>,
): DefinedCommand {
  return defineCommand({
    ...definition,
    json: true,
    run: (context) => run(context, createReporter(context.io, name, context.json)),
  });
}
