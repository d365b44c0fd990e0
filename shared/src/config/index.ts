export { ConfigError } from './ConfigError.js';
export { configOrExit } from './configOrExit.js';
export { configSecrets, describeConfig } from './configSecrets.js';
export {
  DEFAULTS as CONFIG_DEFAULTS,
  ENVIRONMENT_VARIABLES,
  type EnvironmentVariable,
  LOG_LEVELS,
  type LogLevel,
  PUBLISH_TARGETS,
  type PublishTarget,
} from './environmentVariables.js';
export { type BunnyConfig, loadConfig, type PipelineConfig } from './loadConfig.js';
export { type ConfigWith, type OptionalConfigKey, requireConfig } from './requireConfig.js';
