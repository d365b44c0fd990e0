import { describe, expect, it } from 'vitest';
import { ComposeBusyError, ComposeGate, defaultMaxConcurrentRenders } from './compose-gate.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ComposeGate', () => {
  it('runs at most maxConcurrent, queues queueSize requests and refuses the next', async () => {
    const gate = new ComposeGate({ maxConcurrent: 2, queueSize: 1 });
    const first = await gate.refusingWhenFull(() => gate.acquire());
    const second = await gate.refusingWhenFull(() => gate.acquire());
    const third = gate.refusingWhenFull(() => gate.acquire());
    await tick();
    expect(gate.running).toBe(2);
    expect(gate.waiting).toBe(1);
    await expect(gate.refusingWhenFull(() => gate.acquire())).rejects.toBeInstanceOf(ComposeBusyError);
    expect(gate.rejected).toBe(1);

    first();
    const thirdRelease = await third;
    expect(gate.running).toBe(2);
    second();
    thirdRelease();
    thirdRelease();
    expect(gate.running).toBe(0);
    expect(gate.peak).toBe(2);
  });

  it('never refuses queue work, which waits behind compose requests in arrival order', async () => {
    const gate = new ComposeGate({ maxConcurrent: 1, queueSize: 0 });
    const held = await gate.acquire();
    const order: string[] = [];
    const queued = gate.acquire().then((release) => {
      order.push('queue');
      release();
    });
    await expect(gate.refusingWhenFull(() => gate.acquire())).rejects.toMatchObject({
      code: 'COMPOSE_BUSY',
      retryable: true,
    });
    held();
    await queued;
    expect(order).toEqual(['queue']);
    expect(gate.running).toBe(0);
  });

  it('defaults to half the CPUs, at least one', () => {
    expect(defaultMaxConcurrentRenders(1)).toBe(1);
    expect(defaultMaxConcurrentRenders(2)).toBe(1);
    expect(defaultMaxConcurrentRenders(8)).toBe(4);
  });
});
