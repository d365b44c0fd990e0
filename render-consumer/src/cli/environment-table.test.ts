import { readFileSync } from 'node:fs';
import { CONFIG_DEFAULTS, ENVIRONMENT_VARIABLES } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { TUNING_VARIABLES } from '../service/service-tuning.js';

/** `| \`NAME\` | default | meaning |` rows of the README's environment tables: name → default cell. */
function documentedDefaults(): Map<string, string> {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const rows = new Map<string, string>();
  for (const match of readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` +\| ([^|]+?) +\|/gm)) {
    rows.set(match[1] as string, (match[2] as string).trim());
  }
  return rows;
}

describe("the README's environment tables", () => {
  const rows = documentedDefaults();

  it('list every variable of both programs, the tuning knobs included, each with a default', () => {
    const variables = [...Object.keys(ENVIRONMENT_VARIABLES), ...Object.keys(TUNING_VARIABLES)];
    expect(variables.filter((name) => !rows.has(name))).toEqual([]);
    for (const name of variables) expect(rows.get(name), name).not.toBe('');
  });

  it('give the default the programs really use', () => {
    for (const [name, value] of Object.entries(CONFIG_DEFAULTS)) {
      const shown =
        typeof value === 'boolean' ? (name === 'COMPOSE_LOUDNESS' ? 'on' : String(value)) : String(value);
      expect(rows.get(name), name).toBe(`\`${shown}\``);
    }
  });
});
