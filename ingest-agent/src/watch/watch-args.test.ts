import { parseCommandLine } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { WATCH_FLAGS, watchEngine } from './watch-args.js';

const parseWatchArgs = (argv: string[]) => parseCommandLine(argv, WATCH_FLAGS);

describe('watch flags', () => {
  it('reads the drop dir and the flags', () => {
    expect(parseWatchArgs(['/srv/drop', '--poll', '--config', 'agent.json'])).toEqual({
      ok: true,
      flags: { config: 'agent.json', poll: true, prune: false, engine: undefined },
      positionals: ['/srv/drop'],
      help: false,
    });
    expect(watchEngine(undefined)).toBe('builtin');
    expect(parseWatchArgs(['/srv/drop', '--prune'])).toMatchObject({ ok: true, flags: { prune: true } });
    expect(parseWatchArgs(['/srv/drop', '--engine', 'chokidar'])).toMatchObject({
      ok: true,
      flags: { poll: false, engine: 'chokidar' },
    });
  });

  it('refuses unknown flags and an unknown engine, saying what it expects', () => {
    expect(parseWatchArgs(['/srv/drop', '--pol'])).toMatchObject({
      ok: false,
      flag: '--pol',
      problem: 'unknown flag --pol (did you mean --poll?); see --help',
    });
    expect(parseWatchArgs(['/a', '--engine', 'fsevents'])).toMatchObject({
      ok: false,
      problem: '--engine expects builtin or chokidar, got "fsevents"',
    });
  });
});
