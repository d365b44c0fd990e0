import { parseCommandLine } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { COMPOSE_FLAGS, composeRequest, parseSets } from './compose-args.js';

function parseComposeArgs(argv: string[]) {
  const parsed = parseCommandLine(argv, { ...COMPOSE_FLAGS, json: { type: 'boolean' } });
  if (!parsed.ok) throw new Error(parsed.problem);
  return composeRequest(parsed.flags, parsed.flags.json);
}

describe('composeRequest', () => {
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
    expect(parseComposeArgs(['--bundle', 'b', '--asset-version', '3']).request.assetVersion).toBe(3);
  });

  it('refuses a bad --asset-version and an unknown flag at parse time, naming the flag', () => {
    expect(parseCommandLine(['--bundle', 'b', '--asset-version', 'v2'], COMPOSE_FLAGS)).toMatchObject({
      ok: false,
      flag: '--asset-version',
      problem: '--asset-version expects a whole number >= 0, got "v2"',
    });
    const unknown = parseCommandLine(['--bundle', 'b', '--colour', 'red'], COMPOSE_FLAGS);
    expect(unknown).toMatchObject({ ok: false, flag: '--colour' });
    expect(unknown.ok || unknown.problem).toMatch(/--colour.*see --help$/);
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
