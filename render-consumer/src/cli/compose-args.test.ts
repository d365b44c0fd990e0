import { describe, expect, it } from 'vitest';
import { parseComposeArgs, parseSets } from './compose-args.js';

describe('parseComposeArgs', () => {
  it('passes the recipe flags on as values for the recipe check', () => {
    const { request, reasons } = parseComposeArgs([
      '--bundle',
      'b',
      '--language',
      'ro',
      '--sets',
      'left:5,right:10',
      '--seed',
      '7',
      '--json',
    ]);
    expect(reasons).toEqual([]);
    expect(request).toMatchObject({
      bundleDir: 'b',
      recipe: {
        language: 'ro',
        sets: [
          { side: 'left', reps: 5 },
          { side: 'right', reps: 10 },
        ],
        seed: 7,
      },
      setReasons: [],
      json: true,
    });
  });

  it('keeps values that are not whole numbers as text, for the recipe check to name', () => {
    const { request } = parseComposeArgs(['--bundle', 'b', '--sets', 'left:5.5', '--seed', 'x']);
    expect(request.recipe).toEqual({ language: undefined, sets: [{ side: 'left', reps: '5.5' }], seed: 'x' });
  });

  it('reports flags that stop a run before the bundle is read', () => {
    expect(parseComposeArgs(['--language', 'ro']).reasons).toEqual([
      { field: 'bundle', message: 'is required: pass --bundle <dir> or --exercise <slug>' },
    ]);
    expect(parseComposeArgs(['--bundle', 'b', '--exercise', 'e']).reasons[0]?.message).toContain('not both');
    expect(parseComposeArgs(['--bundle', 'b', '--asset-version', 'v2']).reasons).toEqual([
      { field: 'asset-version', message: 'expected a whole number >= 0, got "v2"' },
    ]);
    const unknown = parseComposeArgs(['--bundle', 'b', '--colour', 'red', '--json']);
    expect(unknown.reasons[0]?.field).toBe('flags');
    expect(unknown.reasons[0]?.message).toMatch(/--colour.*see --help$/);
    expect(unknown.request.json).toBe(true);
  });
});

describe('parseSets', () => {
  it('reads side:reps items and keeps a placeholder for each malformed one', () => {
    expect(parseSets('left:5, right:10,left,:5')).toEqual({
      sets: [{ side: 'left', reps: 5 }, { side: 'right', reps: 10 }, {}, {}],
      reasons: [
        { field: 'sets.2', message: 'expected side:reps such as left:5, got "left"' },
        { field: 'sets.3', message: 'expected side:reps such as left:5, got ":5"' },
      ],
    });
    expect(parseSets(undefined)).toEqual({ reasons: [] });
  });
});
