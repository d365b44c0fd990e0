import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';

const BUNNY = {
  PUBLISH_TARGET: 'bunny',
  BUNNY_STREAM_LIBRARY_ID: '123456',
  BUNNY_STREAM_API_KEY: 'sk-live-0123456789abcdef',
  BUNNY_STREAM_CDN_HOSTNAME: 'vz-abc123-456.b-cdn.net',
};

function errorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    expect(loadConfig({})).toEqual({
      awsEndpointUrl: undefined,
      awsRegion: 'eu-central-1',
      assetsBucket: undefined,
      eventBusName: 'default',
      renderQueueUrl: undefined,
      renderDlqUrl: undefined,
      databaseUrl: undefined,
      dataDir: '.data',
      publishTarget: 'local',
      bunny: undefined,
      composerPort: 9400,
      composerHost: '127.0.0.1',
      composerApiToken: undefined,
      metricsRequireToken: true,
      composeLoudness: true,
      composeLoudnessTargetLufs: -16,
      quietSeconds: 20,
      renderGraceSeconds: 604800,
      logLevel: 'info',
      awsConnectTimeoutSeconds: 5,
      awsRequestTimeoutSeconds: 60,
    });
  });

  it('reads every variable into its typed field', () => {
    const config = loadConfig({
      ...BUNNY,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_REGION: 'us-east-1',
      ASSETS_BUCKET: 'exercise-assets',
      EVENT_BUS_NAME: 'pipeline',
      RENDER_QUEUE_URL: 'http://127.0.0.1:5000/123456789012/exercise-renders',
      RENDER_DLQ_URL: 'http://127.0.0.1:5000/123456789012/exercise-renders-dlq',
      AGENT_NOTICES_QUEUE_URL: 'http://127.0.0.1:5000/123456789012/exercise-agent-notices',
      STATUS_PAGE_URL: 'https://renders.example.org/',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/catalog',
      DATA_DIR: '/var/lib/pipeline',
      BUNNY_STREAM_API_URL: 'http://127.0.0.1:8080/',
      BUNNY_STREAM_READ_ONLY_API_KEY: 'ro-0123456789',
      BUNNY_STREAM_TOKEN_KEY: 'zone-0123456789',
      BUNNY_STREAM_TOKEN_EXPIRY_SECONDS: '600',
      BUNNY_TUS_THRESHOLD_BYTES: '1048576',
      COMPOSER_PORT: '8081',
      COMPOSER_API_TOKEN: 'tok_abc',
      COMPOSE_LOUDNESS: 'off',
      COMPOSE_LOUDNESS_TARGET_LUFS: '-23.5',
      SETTLE_SECONDS: '0.5',
      RENDER_GRACE_SECONDS: '60',
      LOG_LEVEL: 'DEBUG',
    });
    expect(config).toMatchObject({
      awsEndpointUrl: 'http://127.0.0.1:5000',
      awsRegion: 'us-east-1',
      assetsBucket: 'exercise-assets',
      eventBusName: 'pipeline',
      renderQueueUrl: 'http://127.0.0.1:5000/123456789012/exercise-renders',
      agentNoticesQueueUrl: 'http://127.0.0.1:5000/123456789012/exercise-agent-notices',
      statusPageUrl: 'https://renders.example.org',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/catalog',
      dataDir: '/var/lib/pipeline',
      publishTarget: 'bunny',
      bunny: {
        libraryId: '123456',
        apiKey: 'sk-live-0123456789abcdef',
        cdnHostname: 'vz-abc123-456.b-cdn.net',
        apiUrl: 'http://127.0.0.1:8080',
        readOnlyApiKey: 'ro-0123456789',
        tokenKey: 'zone-0123456789',
        tokenExpirySeconds: 600,
        tusThresholdBytes: 1_048_576,
      },
      composerPort: 8081,
      composerApiToken: 'tok_abc',
      composeLoudness: false,
      composeLoudnessTargetLufs: -23.5,
      quietSeconds: 0.5,
      renderGraceSeconds: 60,
      logLevel: 'debug',
    });
  });

  it('treats empty and blank values as unset', () => {
    const config = loadConfig({ COMPOSER_PORT: '', AWS_REGION: '  ', ASSETS_BUCKET: '', PUBLISH_TARGET: '' });
    expect(config.composerPort).toBe(9400);
    expect(config.awsRegion).toBe('eu-central-1');
    expect(config.assetsBucket).toBeUndefined();
    expect(config.publishTarget).toBe('local');
  });

  it('names the variable, what it expects and the value it got, on one line', () => {
    const error = errorOf({ COMPOSER_PORT: 'abc' });
    expect(error.message).toBe('COMPOSER_PORT must be a TCP port 1-65535, got "abc"');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.variables).toEqual(['COMPOSER_PORT']);
  });

  it.each([
    ['COMPOSER_PORT', '0'],
    ['COMPOSER_PORT', '70000'],
    ['AWS_ENDPOINT_URL', 'localhost:5000'],
    ['AWS_ENDPOINT_URL', 'ftp://example.com'],
    ['RENDER_QUEUE_URL', 'exercise-renders'],
    ['RENDER_DLQ_URL', 'not a url'],
    ['BUNNY_STREAM_API_URL', 'video.bunnycdn.com'],
    ['AWS_REGION', 'Frankfurt'],
    ['ASSETS_BUCKET', 'Exercise_Assets'],
    ['ASSETS_BUCKET', '192.168.0.1'],
    ['PUBLISH_TARGET', 'youtube'],
    ['COMPOSE_LOUDNESS', 'maybe'],
    ['COMPOSE_LOUDNESS_TARGET_LUFS', '16'],
    ['COMPOSE_LOUDNESS_TARGET_LUFS', '-60'],
    ['COMPOSE_LOUDNESS_TARGET_LUFS', '-16 LUFS'],
    ['SETTLE_SECONDS', '-1'],
    ['RENDER_GRACE_SECONDS', '7d'],
    ['LOG_LEVEL', 'verbose'],
    ['BUNNY_STREAM_LIBRARY_ID', 'abc'],
    ['BUNNY_STREAM_CDN_HOSTNAME', 'https://vz-abc.b-cdn.net/'],
    ['BUNNY_STREAM_TOKEN_EXPIRY_SECONDS', '30'],
    ['BUNNY_STREAM_TOKEN_EXPIRY_SECONDS', '1h'],
    ['BUNNY_TUS_THRESHOLD_BYTES', '100MB'],
  ])('refuses %s=%j', (name, value) => {
    const error = errorOf({ [name]: value });
    expect(error.variables).toEqual([name]);
    expect(error.message).toMatch(
      new RegExp(
        `^${name} must be .+, got ${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`,
      ),
    );
    expect(error.message).not.toContain('\n');
  });

  it('never repeats a secret value, even when it is malformed', () => {
    const error = errorOf({ ...BUNNY, BUNNY_STREAM_API_KEY: 'super secret key' });
    expect(error.message).toBe(
      "BUNNY_STREAM_API_KEY must be the library's Stream API key (one token without spaces) (value not shown)",
    );
    expect(error.message).not.toContain('super');
    for (const name of ['BUNNY_STREAM_READ_ONLY_API_KEY', 'BUNNY_STREAM_TOKEN_KEY']) {
      const refused = errorOf({ ...BUNNY, [name]: 'two words' });
      expect(refused.message).toMatch(new RegExp(`^${name} must be .+ \\(value not shown\\)$`));
      expect(refused.message).not.toContain('two words');
    }
    const database = errorOf({ DATABASE_URL: 'mysql://root:hunter2@db/catalog' });
    expect(database.message).toMatch(
      /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ connection URL/,
    );
    expect(database.message).not.toContain('hunter2');
  });

  it('names each Bunny variable that PUBLISH_TARGET=bunny needs and is missing', () => {
    const error = errorOf({ ...BUNNY, BUNNY_STREAM_API_KEY: '' });
    expect(error.message).toBe(
      "BUNNY_STREAM_API_KEY is required when PUBLISH_TARGET=bunny: set it to the library's Stream API key (one token without spaces)",
    );
    const all = errorOf({ PUBLISH_TARGET: 'bunny' });
    expect(all.variables).toEqual([
      'BUNNY_STREAM_LIBRARY_ID',
      'BUNNY_STREAM_API_KEY',
      'BUNNY_STREAM_CDN_HOSTNAME',
    ]);
    expect(all.message.split('; ')).toHaveLength(3);
  });

  it('reports several bad variables on the same single line, in documented order', () => {
    const error = errorOf({ LOG_LEVEL: 'loud', COMPOSER_PORT: 'x', AWS_REGION: 'Mars' });
    expect(error.variables).toEqual(['AWS_REGION', 'COMPOSER_PORT', 'LOG_LEVEL']);
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('keeps Bunny settings out of a local config unless all three are given', () => {
    expect(loadConfig({ BUNNY_STREAM_LIBRARY_ID: '1' }).bunny).toBeUndefined();
    const { PUBLISH_TARGET: _target, ...withoutTarget } = BUNNY;
    expect(loadConfig(withoutTarget).bunny?.apiUrl).toBe('https://video.bunnycdn.com');
  });
});
