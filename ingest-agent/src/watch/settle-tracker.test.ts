import { describe, expect, it } from 'vitest';
import { SettleTracker, type SettleTrackerOptions } from './settle-tracker.js';

function tracker(options: Partial<SettleTrackerOptions> = {}): SettleTracker {
  return new SettleTracker({ settleMs: 1000, maxConcurrentIngests: 2, retryFailedMs: 5000, ...options });
}

describe('SettleTracker', () => {
  it('makes a delivery due only after it has been quiet for settleMs', () => {
    const t = tracker();
    expect(t.observe('a', 0)).toEqual({ isNew: true, previous: undefined, phase: 'waiting' });
    expect(t.nextWakeAt()).toBe(1000);
    t.observe('a', 600);
    expect(t.takeDue(1000)).toEqual([]);
    expect(t.nextWakeAt()).toBe(1600);
    expect(t.takeDue(1600)).toEqual(['a']);
    expect(t.status('a')?.phase).toBe('checking');
    expect(t.takeDue(5000)).toEqual([]);
  });

  it('checks an incomplete delivery again at its re-check time, and sooner when it changes', () => {
    const t = tracker();
    t.observe('cut', 0);
    expect(t.takeDue(1000)).toEqual(['cut']);
    expect(t.checked('cut', 1100, 'incomplete', 9000)).toBe('idle');
    expect(t.status('cut')).toMatchObject({ idleReason: 'incomplete', retryAt: 9000 });
    expect(t.nextWakeAt()).toBe(9000);
    expect(t.takeDue(8999)).toEqual([]);
    expect(t.takeDue(9000)).toEqual(['cut']);
    expect(t.checked('cut', 9100, 'incomplete')).toBe('idle');
    expect(t.nextWakeAt()).toBeUndefined();
    t.observe('cut', 9500);
    expect(t.nextWakeAt()).toBe(10_500);
  });

  it('keeps a delivery that keeps changing from ever becoming due', () => {
    const t = tracker();
    for (let now = 0; now <= 3000; now += 300) {
      t.observe('growing', now);
      expect(t.takeDue(now)).toEqual([]);
    }
    expect(t.takeDue(3999)).toEqual([]);
    expect(t.takeDue(4000)).toEqual(['growing']);
  });

  it('handles deliveries independently', () => {
    const t = tracker();
    t.observe('quiet', 0);
    for (let now = 0; now <= 2000; now += 250) t.observe('busy', now);
    expect(t.takeDue(1000)).toEqual(['quiet']);
    expect(t.checked('quiet', 1000, 'settled')).toBe('ready');
    expect(t.takeReady()).toEqual(['quiet']);
    expect(t.status('busy')?.phase).toBe('waiting');
    expect(t.takeDue(3000)).toEqual(['busy']);
  });

  it('restarts the quiet period when a check finds the delivery unstable or changed meanwhile', () => {
    const t = tracker();
    t.observe('a', 0);
    t.takeDue(1000);
    expect(t.checked('a', 1200, 'unstable')).toBe('waiting');
    expect(t.takeDue(2100)).toEqual([]);
    expect(t.takeDue(2200)).toEqual(['a']);
    t.observe('a', 2300);
    expect(t.status('a')?.phase).toBe('checking');
    expect(t.checked('a', 2400, 'settled')).toBe('waiting');
    expect(t.nextWakeAt()).toBe(3300);
  });

  it('never runs more ingests than the limit, and starts queued ones in settle order', () => {
    const t = tracker({ maxConcurrentIngests: 2 });
    for (const name of ['a', 'b', 'c']) t.observe(name, 0);
    for (const name of t.takeDue(1000)) t.checked(name, 1000, 'settled');
    expect(t.takeReady()).toEqual(['a', 'b']);
    expect(t.takeReady()).toEqual([]);
    expect(t.ingested('a', 2000, 'done')).toBe('idle');
    expect(t.takeReady()).toEqual(['c']);
    expect(t.count('ingesting')).toBe(2);
  });

  it('takes a queued delivery that changes out of the queue until it settles again', () => {
    const t = tracker({ maxConcurrentIngests: 1 });
    t.observe('a', 0);
    t.observe('b', 0);
    for (const name of t.takeDue(1000)) t.checked(name, 1000, 'settled');
    expect(t.takeReady()).toEqual(['a']);
    t.observe('b', 1100);
    t.ingested('a', 1200, 'done');
    expect(t.takeReady()).toEqual([]);
    expect(t.takeDue(2100)).toEqual(['b']);
  });

  it('leaves a refused or incomplete delivery idle until something in it changes', () => {
    const t = tracker();
    t.observe('refused', 0);
    t.observe('partial', 0);
    t.takeDue(1000);
    t.checked('refused', 1000, 'settled');
    t.checked('partial', 1000, 'incomplete');
    t.takeReady();
    t.ingested('refused', 1500, 'refused');
    expect(t.status('refused')).toMatchObject({ phase: 'idle', idleReason: 'refused' });
    expect(t.status('partial')).toMatchObject({ phase: 'idle', idleReason: 'incomplete' });
    expect(t.nextWakeAt()).toBeUndefined();
    expect(t.takeDue(1_000_000)).toEqual([]);
    expect(t.observe('refused', 2000)).toEqual({ isNew: false, previous: 'idle', phase: 'waiting' });
    expect(t.takeDue(3000)).toEqual(['refused']);
  });

  it('retries a failed ingest after retryFailedMs', () => {
    const t = tracker({ retryFailedMs: 5000 });
    t.observe('a', 0);
    t.takeDue(1000);
    t.checked('a', 1000, 'settled');
    t.takeReady();
    expect(t.ingested('a', 2000, 'failed')).toBe('retrying');
    expect(t.nextWakeAt()).toBe(7000);
    expect(t.takeDue(6999)).toEqual([]);
    expect(t.takeDue(7000)).toEqual(['a']);
  });

  it('starts the quiet period again when the ingest defers (files still being copied)', () => {
    const t = tracker();
    t.observe('a', 0);
    t.takeDue(1000);
    t.checked('a', 1000, 'settled');
    t.takeReady();
    expect(t.ingested('a', 1500, 'deferred')).toBe('waiting');
    expect(t.takeDue(2499)).toEqual([]);
    expect(t.takeDue(2500)).toEqual(['a']);
  });

  it('re-checks a delivery that changed while it was being ingested', () => {
    const t = tracker();
    t.observe('a', 0);
    t.takeDue(1000);
    t.checked('a', 1000, 'settled');
    t.takeReady();
    t.observe('a', 1500);
    expect(t.ingested('a', 1600, 'done')).toBe('waiting');
    expect(t.takeDue(2500)).toEqual(['a']);
  });

  it('ignores removals inside unknown deliveries and drops a forgotten one once its work ends', () => {
    const t = tracker();
    expect(t.observe('gone', 0, false)).toBeUndefined();
    expect(t.names()).toEqual([]);
    t.observe('a', 0);
    t.takeDue(1000);
    t.checked('a', 1000, 'settled');
    t.takeReady();
    t.forget('a');
    expect(t.count('ingesting')).toBe(1);
    expect(t.ingested('a', 2000, 'done')).toBeUndefined();
    expect(t.names()).toEqual([]);
    t.observe('b', 0);
    t.forget('b');
    expect(t.nextWakeAt()).toBeUndefined();
  });

  it('refuses nonsensical options with the option named', () => {
    expect(() => tracker({ maxConcurrentIngests: 0 })).toThrow(/maxConcurrentIngests/);
    expect(() => tracker({ settleMs: -1 })).toThrow(/settleMs/);
  });
});
