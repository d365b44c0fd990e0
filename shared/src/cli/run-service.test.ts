import { afterEach, describe, expect, it } from 'vitest';
import { abortOnStopSignals, type RunServiceOptions, runService, STOP_SIGNALS } from './run-service.js';

function memoryLogger() {
  const lines: string[] = [];
  return {
    lines,
    info: (fields: object, message: string) => lines.push(`info ${message} ${JSON.stringify(fields)}`),
    warn: (fields: object, message: string) => lines.push(`warn ${message} ${JSON.stringify(fields)}`),
  };
}

/** A service whose stop waits until the test calls `finish`, and the exit codes the runner asked for. */
function hangingStop(options: Omit<RunServiceOptions<string>, 'start' | 'stop' | 'exit'>) {
  const exits: number[] = [];
  let finish: (code: number) => void = () => undefined;
  const running = runService({
    ...options,
    start: async () => 'service',
    stop: () =>
      new Promise<number>((resolve) => {
        finish = resolve;
      }),
    exit: (code) => exits.push(code),
  });
  return { running, exits, finish: (code: number) => finish(code) };
}

const listeners = () => STOP_SIGNALS.map((signal) => process.listenerCount(signal));
const before = listeners();
const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

afterEach(() => {
  // Every run removes its handlers: the test process's own stay as they were.
  expect(listeners()).toEqual(before);
});

describe('runService', () => {
  it('starts, stops gracefully on SIGTERM with the deadline, and resolves with the exit code of stop', async () => {
    const logger = memoryLogger();
    const events: string[] = [];
    const exits: number[] = [];
    const running = runService({
      logger,
      deadlineMs: 1234,
      start: async () => {
        events.push('start');
        return 'service';
      },
      onReady: (service) => events.push(`ready ${service}`),
      stop: async (service, deadlineMs) => {
        events.push(`stop ${service} ${deadlineMs}`);
        return 0;
      },
      exit: (code) => exits.push(code),
    });
    await tick();
    expect(events).toEqual(['start', 'ready service']);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await running).toBe(0);
    expect(events).toEqual(['start', 'ready service', 'stop service 1234']);
    expect(logger.lines).toEqual(['info stopping {"reason":"SIGTERM"}']);
    expect(exits).toEqual([]);
  });

  it('exits 1 at once on a second signal while stopping', async () => {
    const logger = memoryLogger();
    const { running, exits, finish } = hangingStop({ logger, stoppingMessage: 'stopping: waiting for work' });
    await tick();
    process.emit('SIGINT', 'SIGINT');
    await tick();
    expect(exits).toEqual([]);
    process.emit('SIGTERM', 'SIGTERM');
    expect(exits).toEqual([1]);
    expect(logger.lines).toEqual([
      'info stopping: waiting for work {"reason":"SIGINT"}',
      'warn second stop request: exiting without waiting {"reason":"SIGTERM"}',
    ]);
    finish(1);
    expect(await running).toBe(1);
  });

  it('exits 1 when the stop overruns its deadline', async () => {
    const logger = memoryLogger();
    const controller = new AbortController();
    const { running, exits, finish } = hangingStop({
      logger,
      deadlineMs: 20,
      overrunMs: 20,
      signal: controller.signal,
    });
    await tick();
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(exits).toEqual([1]);
    expect(logger.lines[1]).toBe(
      'warn the stop overran its deadline: exiting without waiting {"reason":"stop requested","limitMs":40}',
    );
    finish(0);
    await running;
  });

  it('stops right after starting when the stop came during the start, without calling onReady', async () => {
    const controller = new AbortController();
    controller.abort();
    const ready: string[] = [];
    const code = await runService({
      logger: memoryLogger(),
      signal: controller.signal,
      start: async () => 'service',
      onReady: (service) => ready.push(service),
      stop: async () => 0,
    });
    expect(code).toBe(0);
    expect(ready).toEqual([]);
  });

  it('passes a failed start on, with the handlers removed', async () => {
    await expect(
      runService({
        logger: memoryLogger(),
        start: async () => {
          throw new Error('port 9400 is already in use');
        },
        stop: async () => 0,
      }),
    ).rejects.toThrow('port 9400 is already in use');
  });
});

describe('abortOnStopSignals', () => {
  it('aborts with the reason on the first signal and then leaves the signals alone', () => {
    const interrupt = abortOnStopSignals(() => new Error('interrupted'));
    expect(interrupt.signal.aborted).toBe(false);
    process.emit('SIGINT', 'SIGINT');
    expect(interrupt.signal.aborted).toBe(true);
    expect((interrupt.signal.reason as Error).message).toBe('interrupted');
    expect(listeners()).toEqual(before);
    interrupt.dispose();
  });
});
