import type { PipelineConfig } from './load-config.js';

/**
 * The secret values a config holds (Bunny API key, compose token, database password), for
 * `redactText` when an error message is built from a foreign error that may echo them.
 */
export function configSecrets(config: PipelineConfig): string[] {
  const secrets = [
    config.bunny?.apiKey,
    config.bunny?.readOnlyApiKey,
    config.bunny?.tokenKey,
    config.composerApiToken,
    databasePassword(config.databaseUrl),
  ];
  return secrets.filter((secret): secret is string => secret !== undefined && secret !== '');
}

/** A copy safe to log at start-up: secrets replaced, the database URL without its password. */
export function describeConfig(config: PipelineConfig): PipelineConfig {
  const hidden = '[Redacted]';
  const { bunny, composerApiToken, databaseUrl } = config;
  // Overriding keys of the spread copy keeps their order; an unset secret stays absent.
  return {
    ...config,
    ...(bunny === undefined
      ? {}
      : {
          bunny: {
            ...bunny,
            apiKey: hidden,
            ...(bunny.readOnlyApiKey === undefined ? {} : { readOnlyApiKey: hidden }),
            ...(bunny.tokenKey === undefined ? {} : { tokenKey: hidden }),
          },
        }),
    ...(composerApiToken === undefined ? {} : { composerApiToken: hidden }),
    ...(databaseUrl === undefined ? {} : { databaseUrl: withoutPassword(databaseUrl) }),
  };
}

function databasePassword(databaseUrl: string | undefined): string | undefined {
  if (databaseUrl === undefined || !URL.canParse(databaseUrl)) return undefined;
  const password = new URL(databaseUrl).password;
  return password === '' ? undefined : decodeURIComponent(password);
}

function withoutPassword(databaseUrl: string): string {
  if (!URL.canParse(databaseUrl)) return '[Redacted]';
  const url = new URL(databaseUrl);
  if (url.password !== '') url.password = 'REDACTED';
  return url.toString();
}
