import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { requireConfig } from './require-config.js';

describe('requireConfig', () => {
  it('returns the config when every demanded setting is present', () => {
    const config = loadConfig({
      ASSETS_BUCKET: 'exercise-assets',
      RENDER_QUEUE_URL: 'http://127.0.0.1:5000/q',
    });
    const required = requireConfig(config, ['assetsBucket', 'renderQueueUrl']);
    expect(required.assetsBucket).toBe('exercise-assets');
    expect(required.renderQueueUrl).toBe('http://127.0.0.1:5000/q');
  });

  it('names each missing variable and what to set it to, on one line', () => {
    const config = loadConfig({ ASSETS_BUCKET: 'exercise-assets' });
    let caught: unknown;
    try {
      requireConfig(config, ['assetsBucket', 'renderQueueUrl', 'bunny']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.variables).toEqual([
      'RENDER_QUEUE_URL',
      'BUNNY_STREAM_LIBRARY_ID',
      'BUNNY_STREAM_API_KEY',
      'BUNNY_STREAM_CDN_HOSTNAME',
    ]);
    expect(error.message).toMatch(
      /^RENDER_QUEUE_URL is required by this program: set it to the http\(s\) URL of the exercise-renders SQS queue; BUNNY_STREAM_LIBRARY_ID is required/,
    );
    expect(error.message).not.toContain('\n');
  });
});
