import { EXIT } from './types.js';

/** The two log levels the runner writes (a pino logger fits). */
export interface ServiceLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface RunServiceOptions<S> {
  /** Starts the service. A stop requested meanwhile stops it as soon as it has started. */
  start(): Promise<S>;
  /** Stops it gracefully, finishing or handing back work within `deadlineMs`; resolves with the exit code. */
  stop(service: S, deadlineMs: number): Promise<number>;
  /** How long a graceful stop may take; default 30 s. */
  deadlineMs?: number;
  /**
   * How much longer than `deadlineMs` a stop may overrun (closing connections, flushing state)
   * before the runner gives up on it and exits 1; default 15 s.
   */
  overrunMs?: number;
  logger: ServiceLogger;
  /** Logged with `{reason}` on the first stop request; default `stopping`. */
  stoppingMessage?: string;
  /** Stops the service like SIGTERM does (tests, embedding). */
  signal?: AbortSignal;
  /** Called once the service has started, unless a stop was requested first. */
  onReady?(service: S): void;
  /** Ends the process at once (a second signal, an overrun stop); default `process.exit`. */
  exit?(code: number): void;
}

/** The signals that stop every long-running command of both programs. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

const DEFAULT_DEADLINE_MS = 30_000;
const DEFAULT_OVERRUN_MS = 15_000;

/**
 * Runs a long-running service until SIGINT or SIGTERM (or `signal`), the one place either program
 * handles those signals: the first stops the service gracefully within the deadline and resolves
 * with the exit code `stop` gives (0 stopped cleanly, 1 work left unfinished); a second one, or a
 * stop that overruns its deadline, exits 1 at once. The handlers are removed when it resolves.
 */
export async function runService<S>(options: RunServiceOptions<S>): Promise<number> {
  const { logger } = options;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let requested: string | undefined;
  let wake: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => {
    wake = resolve;
  });
  let overrun: NodeJS.Timeout | undefined;
  const request = (reason: string) => {
    if (requested !== undefined) {
      logger.warn({ reason }, 'second stop request: exiting without waiting');
      exit(EXIT.failure);
      return;
    }
    requested = reason;
    logger.info({ reason }, options.stoppingMessage ?? 'stopping');
    const limitMs = deadlineMs + (options.overrunMs ?? DEFAULT_OVERRUN_MS);
    overrun = setTimeout(() => {
      logger.warn({ reason, limitMs }, 'the stop overran its deadline: exiting without waiting');
      exit(EXIT.failure);
    }, limitMs);
    overrun.unref();
    wake();
  };
  const onSignal = (signal: NodeJS.Signals) => request(signal);
  const onAbort = () => request('stop requested');
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.signal?.aborted) request('stop requested');
    const service = await options.start();
    if (requested === undefined) options.onReady?.(service);
    await stopRequested;
    return await options.stop(service, deadlineMs);
  } finally {
    clearTimeout(overrun);
    for (const name of STOP_SIGNALS) process.off(name, onSignal);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * For a one-shot command that can be interrupted (an ingest, a render): the first SIGINT or SIGTERM
 * aborts the returned signal with `reason` so the work unwinds and the command reports it; the
 * handlers are removed then, so a second signal ends the process the default way. Call `dispose`
 * when the command ends.
 */
export function abortOnStopSignals(reason: () => Error): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const dispose = () => {
    for (const name of STOP_SIGNALS) process.off(name, onSignal);
  };
  const onSignal = () => {
    dispose();
    controller.abort(reason());
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return { signal: controller.signal, dispose };
}
