import { leftRightRecipe } from '@exercise-pipeline/test/fixtures';
import { describe, expect, it } from 'vitest';
import { canonicalJson, recipeHash, sha256Hex } from './hash.js';
import type { Recipe } from './recipe.js';

const recipe: Recipe = leftRightRecipe('squat-wall', [10, 5], 42);

describe('canonicalJson', () => {
  it('sorts keys at every depth and adds no whitespace', () => {
    expect(canonicalJson({ z: { y: true, x: 1.5 }, a: [3, { c: 'é', b: null }] })).toBe(
      '{"a":[3,{"b":null,"c":"é"}],"z":{"x":1.5,"y":true}}',
    );
  });

  it('is independent of key insertion order but keeps array order', () => {
    const a = { b: 1, a: { d: [1, 2], c: 'x' } };
    const b = { a: { c: 'x', d: [1, 2] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson({ a: [2, 1] })).not.toBe(canonicalJson({ a: [1, 2] }));
  });

  it('escapes strings and keys as JSON does', () => {
    expect(canonicalJson({ 'k"\n': 'v\\"\u0001' })).toBe('{"k\\"\\n":"v\\\\\\"\\u0001"}');
  });

  it('sorts keys by code unit, not locale', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, _: 4, '10': 5, '9': 6 })).toBe(
      '{"10":5,"9":6,"B":2,"_":4,"a":3,"b":1}',
    );
  });

  it('leaves out undefined members, writes undefined array items as null, uses toJSON', () => {
    expect(canonicalJson({ a: undefined, b: [undefined], c: new Date(0) })).toBe(
      '{"b":[null],"c":"1970-01-01T00:00:00.000Z"}',
    );
  });

  it.each([
    [{ n: Number.NaN }, /\(root\)\.n is NaN/],
    [{ n: [Infinity] }, /\(root\)\.n\.0 is Infinity/],
    [{ n: 1n }, /is a bigint/],
    [() => 1, /is a function/],
    [undefined, /\(root\) is undefined/],
  ])('refuses %s', (value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it('refuses cycles but allows shared references', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/refers back to itself/);
  });
});

describe('recipeHash', () => {
  // Pinned from: printf '%s' '{"exercise":"squat-wall","language":"ro","seed":42,"sets":[{"reps":10,"side":"left"},{"reps":5,"side":"right"}]}' | sha256sum
  const PINNED = '360679ed008b6966fa3304060f6e8cc0917650cbd6f473ab1b495ac6d46ba7a2';

  it('matches a value computed outside this code', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(recipeHash(recipe)).toBe(PINNED);
  });

  it('gives the same hash for the same recipe with keys in another order', () => {
    const reordered = {
      seed: 42,
      sets: [
        { reps: 10, side: 'left' },
        { reps: 5, side: 'right' },
      ],
      language: 'ro',
      exercise: 'squat-wall',
    } as Recipe;
    expect(recipeHash(reordered)).toBe(PINNED);
  });

  it('ignores properties that are not part of a recipe', () => {
    const carried = {
      ...recipe,
      note: 'from the API',
      sets: recipe.sets.map((s) => ({ ...s, id: 1 })),
    } as Recipe;
    expect(recipeHash(carried)).toBe(PINNED);
  });

  it('changes with any field, including set order and seed', () => {
    const variations: Recipe[] = [
      { ...recipe, seed: 43 },
      { ...recipe, language: 'en' },
      { ...recipe, exercise: 'squat' },
      { ...recipe, sets: [...recipe.sets].reverse() },
      { ...recipe, sets: [{ side: 'left', reps: 10 }] },
    ];
    const hashes = new Set([PINNED, ...variations.map(recipeHash)]);
    expect(hashes.size).toBe(variations.length + 1);
    for (const hash of hashes) expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
