import type { CliCommand, CliIo } from './types.js';

/** A command table entry whose module is imported only when that command runs. */
export interface LazyCliCommand extends CliCommand {
  /** Imports the command's module and returns the command itself. */
  load(): Promise<CliCommand>;
}

/**
 * Each command drags in its own dependencies (the AWS SDK for `ingest` and the queue tools, pg and
 * PGlite for the catalog, sqs-consumer and the HTTP server for `run`); importing them all up front
 * cost every invocation, the usage text included, most of a second before it did anything. The
 * table keeps the one-line summary so the usage text loads nothing, and `run` imports the module
 * on first use.
 */
export function lazyCommand(summary: string, load: () => Promise<CliCommand>): LazyCliCommand {
  let loading: Promise<CliCommand> | undefined;
  const loadOnce = () => {
    loading ??= load();
    return loading;
  };
  return {
    summary,
    load: loadOnce,
    async run(args: string[], io: CliIo): Promise<number> {
      return (await loadOnce()).run(args, io);
    },
  };
}
