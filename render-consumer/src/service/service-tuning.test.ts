import { ConfigError } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { resolveServiceTuning } from './service-tuning.js';

describe('resolveServiceTuning', () => {
  it('leaves every knob to its component when nothing is set (blank counts as unset)', () => {
    expect(resolveServiceTuning({})).toEqual({});
    expect(resolveServiceTuning({ QUEUE_WAIT_SECONDS: '  ', RENDER_LEASE_SECONDS: '' })).toEqual({});
  });

  it('reads each variable into its option', () => {
    expect(
      resolveServiceTuning({
        QUEUE_VISIBILITY_TIMEOUT_SECONDS: '5',
        QUEUE_WAIT_SECONDS: '0',
        QUEUE_RETRY_BASE_SECONDS: '1',
        QUEUE_RETRY_MAX_SECONDS: '2',
        CONSUMER_CONCURRENCY: '3',
        RENDER_LEASE_SECONDS: '4',
        SHUTDOWN_DEADLINE_SECONDS: '0',
      }),
    ).toEqual({
      visibilityTimeoutSeconds: 5,
      waitTimeSeconds: 0,
      retryBaseSeconds: 1,
      retryMaxSeconds: 2,
      concurrency: 3,
      leaseSeconds: 4,
      shutdownDeadlineSeconds: 0,
    });
  });

  it('names every bad variable, what it expects and what it got, in one error', () => {
    let error: unknown;
    try {
      resolveServiceTuning({
        QUEUE_WAIT_SECONDS: '21',
        CONSUMER_CONCURRENCY: '1.5',
        RENDER_LEASE_SECONDS: '-1',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const config = error as ConfigError;
    expect(config.variables).toEqual(['QUEUE_WAIT_SECONDS', 'CONSUMER_CONCURRENCY', 'RENDER_LEASE_SECONDS']);
    expect(config.message).toContain('QUEUE_WAIT_SECONDS must be whole seconds 0-20');
    expect(config.message).toContain(
      'CONSUMER_CONCURRENCY must be how many messages one process handles at once, 1-64, e.g. 1, got "1.5"',
    );
    expect(config.message).not.toContain('\n');
  });

  it('refuses a retry ceiling below the first retry delay', () => {
    expect(() =>
      resolveServiceTuning({ QUEUE_RETRY_BASE_SECONDS: '10', QUEUE_RETRY_MAX_SECONDS: '5' }),
    ).toThrow(/QUEUE_RETRY_MAX_SECONDS must not be below QUEUE_RETRY_BASE_SECONDS/);
  });
});
