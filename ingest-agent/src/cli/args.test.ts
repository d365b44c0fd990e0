import { describe, expect, it } from 'vitest';
import { parseAgentArgs } from './args.js';

describe('parseAgentArgs', () => {
  it('reads the folder and the flags a command takes', () => {
    expect(
      parseAgentArgs(['001 Squat', '--config', 'a.json', '--dry-run', '--prune', '--json'], {
        config: true,
        dryRun: true,
        prune: true,
      }),
    ).toEqual({
      ok: true,
      args: { target: '001 Squat', config: 'a.json', dryRun: true, prune: true, json: true, help: false },
    });
  });

  it('refuses a flag the command does not take and a second folder', () => {
    const typo = parseAgentArgs(['x', '--dryrun'], { dryRun: true });
    expect(typo.ok).toBe(false);
    expect(parseAgentArgs(['x', '--prune']).ok).toBe(false);
    const two = parseAgentArgs(['001', 'Squat']);
    expect(two.ok || two.problem).toContain('quote a name with spaces');
  });
});
