export { isEntryPoint } from './isEntryPoint.js';
export { type LazyCliCommand, lazyCommand } from './lazyCommand.js';
export { packageVersion } from './packageVersion.js';
export { type RunCliOptions, runCli } from './runCli.js';
export { type CliCommand, type CliIo, EXIT } from './types.js';
