import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { wholeNumberIn } from './environment-variables.js';
import { readVariables } from './read-variables.js';

const SPECS = {
  WORKERS: { expects: 'a number of workers 1-8, e.g. 2', parse: wholeNumberIn(1, 8) },
  API_SECRET: {
    expects: 'a token without spaces',
    secret: true,
    parse: (raw: string) => (/\s/.test(raw) ? undefined : raw),
  },
};

describe('readVariables', () => {
  it('returns the parsed values and leaves unset and blank variables out', () => {
    expect(readVariables({ WORKERS: ' 3 ', API_SECRET: 'abc' }, SPECS)).toEqual({
      WORKERS: 3,
      API_SECRET: 'abc',
    });
    expect(readVariables({ WORKERS: '  ' }, SPECS)).toEqual({});
  });

  it('names every bad variable and what it expects on one line, never showing a secret', () => {
    expect(() => readVariables({ WORKERS: '9', API_SECRET: 'two words' }, SPECS)).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        variables: ['WORKERS', 'API_SECRET'],
        message:
          'WORKERS must be a number of workers 1-8, e.g. 2, got "9"; API_SECRET must be a token without spaces (value not shown)',
      }),
    );
    expect(() => readVariables({ WORKERS: '1.5' }, SPECS)).toThrow(
      new ConfigError([
        { variable: 'WORKERS', message: 'WORKERS must be a number of workers 1-8, e.g. 2, got "1.5"' },
      ]),
    );
  });
});
