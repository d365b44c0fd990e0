import { parseManifest } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { manifestJson } from './manifest-json.js';

function manifestOf(input: unknown) {
  const parsed = parseManifest(input);
  if (!parsed.ok) throw new Error('invalid');
  return parsed.manifest;
}

describe('manifestJson', () => {
  it('gives the same bytes whatever order the fields were built in', () => {
    const a = manifestJson(manifestOf({ exercise: 'squat', languages: ['ro'], sides: ['left', 'right'] }));
    const b = manifestJson(manifestOf({ sides: ['left', 'right'], languages: ['ro'], exercise: 'squat' }));
    expect(a).toBe(b);
    expect(a.endsWith('}\n')).toBe(true);
    const keys = Object.keys(JSON.parse(a));
    expect(keys).toEqual([...keys].sort());
  });
});
