import { describe, expect, it } from 'vitest';
import { ReadinessMonitor } from './health.js';

/** A check whose outcome the test sets: answer, fail, or never answer (a frozen endpoint). */
function controllableCheck() {
  let mode: 'ok' | 'fail' | 'freeze' = 'ok';
  let calls = 0;
  let aborted = 0;
  const check = (signal: AbortSignal) => {
    calls += 1;
    if (mode === 'ok') return Promise.resolve();
    if (mode === 'fail')
      return Promise.reject(Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' }));
    return new Promise<void>((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        aborted += 1;
        // Like a client that ignores its signal for a while: the answer comes much later.
        setTimeout(() => reject(new Error('socket hang up')), 400);
      });
    });
  };
  return {
    check,
    set: (next: typeof mode) => {
      mode = next;
    },
    get calls() {
      return calls;
    },
    get aborted() {
      return aborted;
    },
  };
}

describe('ReadinessMonitor', () => {
  it('reports a failing check with its reason and the time it started failing, then recovers', async () => {
    let clock = Date.parse('2026-03-01T10:00:00.000Z');
    const queue = controllableCheck();
    const monitor = new ReadinessMonitor({
      checks: { catalog: async () => {}, queue: queue.check },
      timeoutMs: 200,
      now: () => clock,
    });
    expect(await monitor.current()).toMatchObject({
      ready: true,
      checks: { catalog: { ok: true }, queue: { ok: true, since: '2026-03-01T10:00:00.000Z' } },
    });

    queue.set('fail');
    clock += 5000;
    await monitor.refresh();
    clock += 5000;
    await monitor.refresh();
    const failing = monitor.snapshot();
    expect(failing.ready).toBe(false);
    expect(failing.checks.queue).toEqual({
      ok: false,
      error: 'ECONNREFUSED: connect refused',
      // The first failure of the streak, not the latest probe.
      since: '2026-03-01T10:00:05.000Z',
      checkedAt: '2026-03-01T10:00:10.000Z',
    });
    expect(failing.checks.catalog).toMatchObject({ ok: true, since: '2026-03-01T10:00:00.000Z' });

    queue.set('ok');
    clock += 5000;
    await monitor.refresh();
    expect(monitor.snapshot()).toMatchObject({
      ready: true,
      checks: { queue: { ok: true, since: '2026-03-01T10:00:15.000Z' } },
    });
    expect(monitor.snapshot().checks.queue).not.toHaveProperty('error');
  });

  it('fails a frozen check at its deadline and sends no second probe until the first finishes', async () => {
    const catalog = controllableCheck();
    catalog.set('freeze');
    const monitor = new ReadinessMonitor({
      checks: { catalog: { probe: catalog.check, target: 'the catalog database' } },
      timeoutMs: 150,
    });
    const began = performance.now();
    const readiness = await monitor.current();
    expect(performance.now() - began).toBeLessThan(1000);
    expect(readiness).toMatchObject({
      ready: false,
      checks: { catalog: { ok: false, error: 'the catalog database did not answer within 150 ms' } },
    });
    expect(catalog.aborted).toBe(1);

    // The first probe is still out (its client answers 400 ms after the abort): no pile-up.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await monitor.refresh();
    expect(catalog.calls).toBe(1);
    expect(monitor.snapshot().checks.catalog!.error).toMatch(
      /^the catalog database did not answer within 150 ms \(still waiting after \d+ s\)$/,
    );

    // Once it finished, the next round probes afresh, and a healthy answer makes it ready again.
    await new Promise((resolve) => setTimeout(resolve, 400));
    catalog.set('ok');
    await monitor.refresh();
    expect(catalog.calls).toBe(2);
    expect(monitor.snapshot()).toMatchObject({ ready: true, checks: { catalog: { ok: true } } });
  });

  it('probes in the background every interval once started, and stops', async () => {
    const queue = controllableCheck();
    const monitor = new ReadinessMonitor({ checks: { queue: queue.check }, intervalMs: 50, timeoutMs: 40 });
    monitor.start();
    await expect.poll(() => queue.calls, { timeout: 2000 }).toBeGreaterThanOrEqual(3);
    queue.set('fail');
    await expect.poll(() => monitor.snapshot().ready, { timeout: 2000 }).toBe(false);
    monitor.stop();
    const calls = queue.calls;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(queue.calls).toBe(calls);
  });
});
