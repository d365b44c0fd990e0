import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { type ConfigWith, type OptionalConfigKey, requireConfig } from './require-config.js';

/**
 * Start-up entry point: `loadConfig` plus `requireConfig`; on a `ConfigError` prints its single line
 * to stderr and exits with code 1 (the commands' "failure" code), so no stack trace hides the cause.
 * @param env default `process.env`
 * @param required settings this program cannot run without; default none
 */
export function configOrExit<K extends OptionalConfigKey = never>(
  env: NodeJS.ProcessEnv = process.env,
  required: readonly K[] = [],
): ConfigWith<K> {
  try {
    return requireConfig(loadConfig(env), required);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
