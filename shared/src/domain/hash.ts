import { createHash } from 'node:crypto';
import type { Recipe } from './recipe.js';

/**
 * JSON with object keys sorted (by UTF-16 code units) at every depth and no whitespace, so equal
 * values always give the same text whatever order their keys were built in. Arrays keep their
 * order. `undefined` object members are left out as JSON.stringify does; values JSON cannot
 * represent faithfully (NaN, Infinity, bigint, functions, symbols, cycles) throw instead of
 * silently becoming `null`.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, new Set(), '(root)');
}

function serialize(value: unknown, ancestors: Set<object>, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError(`canonicalJson: ${path} is ${value}, which JSON cannot represent`);
      return JSON.stringify(value);
    case 'object':
      break;
    case 'undefined':
      throw new TypeError(`canonicalJson: ${path} is undefined, which JSON cannot represent`);
    default:
      throw new TypeError(`canonicalJson: ${path} is a ${typeof value}, which JSON cannot represent`);
  }
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return serialize(withJson.toJSON(), ancestors, path);
  if (ancestors.has(value)) throw new TypeError(`canonicalJson: ${path} refers back to itself`);
  ancestors.add(value);
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map((item, i) => (item === undefined ? 'null' : serialize(item, ancestors, `${path}.${i}`))).join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${serialize(record[key], ancestors, `${path}.${key}`)}`);
    text = `{${members.join(',')}}`;
  }
  ancestors.delete(value);
  return text;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The render cache key of a recipe: sha256 (hex) of its canonical JSON. Only the recipe's own
 * fields count, so extra properties a caller carries along cannot split the cache.
 */
export function recipeHash(recipe: Recipe): string {
  return sha256Hex(
    canonicalJson({
      exercise: recipe.exercise,
      language: recipe.language,
      sets: recipe.sets.map((set) => ({ side: set.side, reps: set.reps })),
      seed: recipe.seed,
    }),
  );
}
