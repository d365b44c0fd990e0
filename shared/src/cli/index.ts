export { isEntryPoint } from './is-entry-point.js';
export { type LazyCliCommand, lazyCommand } from './lazy-command.js';
export { packageVersion } from './package-version.js';
export { type RunCliOptions, runCli } from './run-cli.js';
export { type CliCommand, type CliIo, EXIT } from './types.js';
