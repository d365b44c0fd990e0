import { describe, expect, it } from 'vitest';
import { KeyLocks } from './key-locks.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('KeyLocks', () => {
  it('runs tasks for one slug one after the other and tasks for other slugs alongside', async () => {
    const locks = new KeyLocks();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
    };
    const waited: string[] = [];
    await Promise.all([
      locks.run('squat', task('a')),
      locks.run('squat', task('b'), { onWait: () => waited.push('b') }),
      locks.run('lunge', task('c'), { onWait: () => waited.push('c') }),
    ]);
    expect(log.indexOf('b start')).toBeGreaterThan(log.indexOf('a end'));
    expect(log.indexOf('c start')).toBeLessThan(log.indexOf('a end'));
    expect(waited).toEqual(['b']);
    expect(locks.isBusy('squat')).toBe(false);
  });

  it('gives up a waiting place on abort and still lets the next one run after a failed holder', async () => {
    const locks = new KeyLocks();
    let release: () => void = () => undefined;
    const first = locks.run(
      'squat',
      () =>
        new Promise<void>((_, reject) => {
          release = () => reject(new Error('sync failed'));
        }),
    );
    const controller = new AbortController();
    let ranAborted = false;
    const aborted = locks.run(
      'squat',
      async () => {
        ranAborted = true;
      },
      { signal: controller.signal },
    );
    const third = locks.run('squat', async () => 'third ran');
    controller.abort(new Error('stopping'));
    await expect(aborted).rejects.toThrow('stopping');
    release();
    await expect(first).rejects.toThrow('sync failed');
    await expect(third).resolves.toBe('third ran');
    expect(ranAborted).toBe(false);
  });
});
