export { awsClientOptions } from './aws-client-options.js';
export { ConfigError } from './config-error.js';
export { configOrExit } from './config-or-exit.js';
export {
  DEFAULTS as CONFIG_DEFAULTS,
  ENVIRONMENT_VARIABLES,
  type EnvironmentVariable,
  LOG_LEVELS,
  type LogLevel,
  PUBLISH_TARGETS,
  type PublishTarget,
  type VariableSpec,
  wholeNumberIn,
} from './environment-variables.js';
export { type BunnyConfig, loadConfig, type PipelineConfig } from './load-config.js';
export { presentValue, readVariables } from './read-variables.js';
export { type ConfigWith, type OptionalConfigKey, requireConfig } from './require-config.js';
