import { ConfigError } from './config-error.js';
import { ENVIRONMENT_VARIABLES, type EnvironmentVariable } from './environment-variables.js';
import type { PipelineConfig } from './load-config.js';

/** Settings without a default; a program demands the ones it cannot run without. */
export type OptionalConfigKey = {
  [K in keyof PipelineConfig]-?: undefined extends PipelineConfig[K] ? K : never;
}[keyof PipelineConfig];

/** A config in which the demanded settings are known to be present. */
export type ConfigWith<K extends OptionalConfigKey> = PipelineConfig & Required<Pick<PipelineConfig, K>>;

const VARIABLES_OF: Record<OptionalConfigKey, readonly EnvironmentVariable[]> = {
  awsEndpointUrl: ['AWS_ENDPOINT_URL'],
  assetsBucket: ['ASSETS_BUCKET'],
  renderQueueUrl: ['RENDER_QUEUE_URL'],
  renderDlqUrl: ['RENDER_DLQ_URL'],
  agentNoticesQueueUrl: ['AGENT_NOTICES_QUEUE_URL'],
  statusPageUrl: ['STATUS_PAGE_URL'],
  databaseUrl: ['DATABASE_URL'],
  bunny: ['BUNNY_STREAM_LIBRARY_ID', 'BUNNY_STREAM_API_KEY', 'BUNNY_STREAM_CDN_HOSTNAME'],
  composerApiToken: ['COMPOSER_API_TOKEN'],
  awsConnectTimeoutSeconds: ['AWS_CONNECT_TIMEOUT_SECONDS'],
  awsRequestTimeoutSeconds: ['AWS_REQUEST_TIMEOUT_SECONDS'],
  composeLoudness: ['COMPOSE_LOUDNESS'],
  composeLoudnessTargetLufs: ['COMPOSE_LOUDNESS_TARGET_LUFS'],
};

/**
 * Demands program-specific settings, e.g. `requireConfig(config, ['assetsBucket', 'renderQueueUrl'])`.
 * Throws a `ConfigError` with one line naming every missing variable and what to set it to.
 */
export function requireConfig<K extends OptionalConfigKey>(
  config: PipelineConfig,
  keys: readonly K[],
): ConfigWith<K> {
  const problems = keys
    .filter((key) => config[key] === undefined)
    .flatMap((key) => VARIABLES_OF[key])
    .map((variable) => ({
      variable,
      message: `${variable} is required by this program: set it to ${ENVIRONMENT_VARIABLES[variable].expects}`,
    }));
  if (problems.length > 0) throw new ConfigError(problems);
  return config as ConfigWith<K>;
}
