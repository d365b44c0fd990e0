export {
  type CommandContext,
  type CommandDefinition,
  type DefinedCommand,
  defineCommand,
} from './define-command.js';
export {
  type FlagSpec,
  type FlagSpecs,
  type FlagValues,
  type ParsedCommandLine,
  parseCommandLine,
} from './flags.js';
export { isEntryPoint } from './is-entry-point.js';
export { type JsonReason, writeJson, writeJsonError } from './json-output.js';
export { type LazyCliCommand, lazyCommand } from './lazy-command.js';
export { packageVersion } from './package-version.js';
export { type ProgramOptions, processIo, programMain } from './program-main.js';
export { type RunCliOptions, runCli } from './run-cli.js';
export {
  abortOnStopSignals,
  type RunServiceOptions,
  runService,
  STOP_SIGNALS,
  type ServiceLogger,
} from './run-service.js';
export { type CliCommand, type CliIo, EXIT } from './types.js';
