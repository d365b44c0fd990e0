import { describe, expect, it } from 'vitest';
import { parseWatchArgs } from './watch-args.js';

describe('parseWatchArgs', () => {
  it('reads the drop dir and the flags', () => {
    expect(parseWatchArgs(['/srv/drop', '--poll', '--config', 'agent.json'])).toEqual({
      ok: true,
      args: {
        dropDir: '/srv/drop',
        config: 'agent.json',
        poll: true,
        prune: false,
        engine: 'builtin',
        help: false,
      },
    });
    expect(parseWatchArgs(['/srv/drop', '--prune'])).toMatchObject({ ok: true, args: { prune: true } });
    expect(parseWatchArgs(['/srv/drop', '--engine', 'chokidar'])).toMatchObject({
      ok: true,
      args: { poll: false, engine: 'chokidar' },
    });
  });

  it('refuses unknown flags, a second folder and an unknown engine, saying what it expects', () => {
    expect(parseWatchArgs(['/srv/drop', '--pol'])).toMatchObject({
      ok: false,
      problem: expect.stringContaining('--pol'),
    });
    expect(parseWatchArgs(['/a', '/b'])).toMatchObject({
      ok: false,
      problem: expect.stringContaining('one drop folder'),
    });
    expect(parseWatchArgs(['/a', '--engine', 'fsevents'])).toMatchObject({
      ok: false,
      problem: '--engine expects builtin or chokidar, got "fsevents"',
    });
  });
});
