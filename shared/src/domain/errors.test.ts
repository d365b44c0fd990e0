import { describe, expect, it } from 'vitest';
import {
  describeValue,
  formatIssues,
  InvalidKeyPartError,
  ManifestInvalidError,
  MessageInvalidError,
  PipelineError,
  RecipeInvalidError,
} from './errors.js';

describe('PipelineError', () => {
  it('carries code, retryable (default false), cause and its class name', () => {
    const cause = new Error('socket hang up');
    const error = new PipelineError('upload failed for a/b.mp4', {
      code: 'UPLOAD_FAILED',
      retryable: true,
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.code, error.retryable, error.cause]).toEqual([
      'PipelineError',
      'UPLOAD_FAILED',
      true,
      cause,
    ]);
    const plain = new PipelineError('x', { code: 'X' });
    expect(plain.retryable).toBe(false);
    expect('cause' in plain).toBe(false);
  });

  it('gives each subclass a fixed code and its own name', () => {
    const errors = [
      new InvalidKeyPartError('slug', '../x', 'a slug'),
      new ManifestInvalidError([{ field: 'exercise', message: 'bad' }]),
      new RecipeInvalidError([{ field: 'seed', message: 'bad' }]),
      new MessageInvalidError('not JSON'),
    ];
    expect(errors.map((e) => [e.name, e.code, e.retryable, e instanceof PipelineError])).toEqual([
      ['InvalidKeyPartError', 'KEY_PART_INVALID', false, true],
      ['ManifestInvalidError', 'MANIFEST_INVALID', false, true],
      ['RecipeInvalidError', 'RECIPE_INVALID', false, true],
      ['MessageInvalidError', 'MESSAGE_INVALID', false, true],
    ]);
  });

  it('puts every issue in the message', () => {
    const issues = [
      { field: 'sets.1.reps', message: '7 is not a multiple of 5' },
      { field: 'language', message: '"de" is not offered' },
    ];
    expect(new RecipeInvalidError(issues).message).toBe(
      'recipe is invalid: sets.1.reps: 7 is not a multiple of 5; language: "de" is not offered',
    );
    expect(new RecipeInvalidError(issues).reasons).toEqual(issues);
    expect(formatIssues([])).toBe('');
    expect(new InvalidKeyPartError('language', 'en/US', 'a language code').message).toBe(
      'invalid language "en/US": expected a language code',
    );
  });
});

describe('describeValue', () => {
  it.each([
    [undefined, 'nothing'],
    [null, 'null'],
    ['five', '"five"'],
    [2.5, '2.5'],
    [false, 'false'],
    [[1, 2], 'an array of 2'],
    [{ a: 1 }, 'an object'],
    [() => 1, 'a function'],
    ['x'.repeat(100), `"${'x'.repeat(77)}..."`],
  ])('describes %j as %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});
