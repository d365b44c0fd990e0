import { finishesWithin } from '@exercise-pipeline/shared';
import { pingCatalog, type Queryable } from '../catalog/database.js';
import { sendJson } from './respond.js';
import type { Handler } from './router.js';

/**
 * A dependency check for `/readyz`: resolves when reachable, rejects with the reason otherwise. The
 * signal aborts when the check's time is up; checks that can cancel their request should pass it on.
 */
export type ReadinessCheck = (signal: AbortSignal) => Promise<void>;

/** A check with the name of what it reaches, used when the probe does not answer in time. */
export interface DescribedCheck {
  probe: ReadinessCheck;
  /** E.g. `the render queue https://sqs…/renders`; never a secret. */
  target: string;
}

/** The latest outcome of one check, as `/readyz` shows it. */
export interface CheckState {
  ok: boolean;
  /** Why the check failed; absent while it passes. */
  error?: string;
  /** ISO time the check entered its current state (first failure of a failing streak, or recovery). */
  since: string;
  /** ISO time of the latest completed probe; null before the first one. */
  checkedAt: string | null;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckState>;
}

export interface ReadinessLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface ReadinessMonitorOptions {
  /** Named checks, typically `catalog` and `queue`. */
  checks: Record<string, ReadinessCheck | DescribedCheck>;
  /** A probe unanswered after this long counts as failed; default 1500 ms. */
  timeoutMs?: number;
  /** How often every check is probed in the background; default 5000 ms. */
  intervalMs?: number;
  logger?: ReadinessLogger;
  now?: () => number;
}

interface CheckSlot {
  check: ReadinessCheck;
  /** Names the unanswering endpoint in the deadline's message. */
  target: string | undefined;
  state: CheckState;
  /** The probe still running, if any: a frozen endpoint gets one probe at a time, never a pile. */
  running?: Promise<void> | undefined;
  /** When the running probe began. */
  began?: number;
}

/**
 * Probes the consumer's dependencies in the background and keeps the latest outcome of each, so
 * `/readyz` answers at once from memory even while an endpoint is frozen. Every probe is bounded by
 * `timeoutMs`; a probe that has not answered by then marks its check failed, and no second probe of
 * that check starts until the first one finishes.
 */
export class ReadinessMonitor {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly #slots = new Map<string, CheckSlot>();
  readonly #options: ReadinessMonitorOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #firstRound: Promise<void> | undefined;

  constructor(options: ReadinessMonitorOptions) {
    this.#options = options;
    this.timeoutMs = options.timeoutMs ?? 1500;
    this.intervalMs = options.intervalMs ?? 5000;
    this.#now = options.now ?? Date.now;
    const startedAt = this.#iso();
    for (const [name, check] of Object.entries(options.checks)) {
      this.#slots.set(name, {
        check: typeof check === 'function' ? check : check.probe,
        target: typeof check === 'function' ? undefined : check.target,
        state: { ok: false, error: 'not checked yet', since: startedAt, checkedAt: null },
      });
    }
  }

  /** Probes every check now and then every `intervalMs` until `stop()`. Safe to call twice. */
  start(): void {
    if (this.#timer) return;
    this.#firstRound ??= this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Runs one round of probes; resolves within about `timeoutMs` whatever the endpoints do. */
  async refresh(): Promise<void> {
    await Promise.all([...this.#slots].map(([name, slot]) => this.#probe(name, slot)));
  }

  /**
   * The latest outcomes. Before the first round has finished it waits for it (at most about
   * `timeoutMs`), so a consumer that has just started does not report checks it never ran.
   */
  async current(): Promise<Readiness> {
    this.#firstRound ??= this.refresh();
    await this.#firstRound;
    return this.snapshot();
  }

  /** The latest outcomes, without waiting. */
  snapshot(): Readiness {
    const checks = Object.fromEntries([...this.#slots].map(([name, slot]) => [name, { ...slot.state }]));
    return { ready: Object.values(checks).every((state) => state.ok), checks };
  }

  async #probe(name: string, slot: CheckSlot): Promise<void> {
    if (slot.running) {
      // Still unanswered from an earlier round: that is the answer, and no second probe is sent.
      const waited = this.#now() - (slot.began ?? this.#now());
      if (waited > this.timeoutMs) {
        const still = `(still waiting after ${Math.round(waited / 1000)} s)`;
        this.#record(name, slot, `${this.#noAnswer(slot)} ${still}`);
      }
      return;
    }
    const began = this.#now();
    slot.began = began;
    const controller = new AbortController();
    const probe = Promise.resolve()
      .then(() => slot.check(controller.signal))
      .then(
        () => undefined,
        (error: unknown) => reasonOf(error),
      );
    const running = probe.then((outcome) => {
      slot.running = undefined;
      // An answer after the deadline does not count as healthy: the next round probes again.
      if (this.#now() - began <= this.timeoutMs) this.#record(name, slot, outcome);
    });
    slot.running = running;
    if (!(await finishesWithin(running, this.timeoutMs))) {
      const reason = this.#noAnswer(slot);
      controller.abort(new Error(reason));
      this.#record(name, slot, reason);
    }
  }

  #noAnswer(slot: CheckSlot): string {
    return `${slot.target === undefined ? 'no answer' : `${slot.target} did not answer`} within ${this.timeoutMs} ms`;
  }

  #record(name: string, slot: CheckSlot, error: string | undefined): void {
    const at = this.#iso();
    const ok = error === undefined;
    const wasChecked = slot.state.checkedAt !== null;
    const changed = ok !== slot.state.ok || !wasChecked;
    slot.state = {
      ok,
      ...(ok ? {} : { error }),
      since: changed ? at : slot.state.since,
      checkedAt: at,
    };
    if (!changed) return;
    if (!ok) this.#options.logger?.warn({ check: name, error }, 'not ready: a dependency is unreachable');
    else if (wasChecked) this.#options.logger?.info({ check: name }, 'ready again: the dependency answers');
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }
}

export interface ReadyzOptions {
  monitor: ReadinessMonitor;
  /** True while the server shuts down, so a load balancer stops sending new requests. */
  isStopping?: () => boolean;
}

/** `/healthz`: the process is up and serving HTTP; says nothing about its dependencies. */
export const healthzHandler: Handler = ({ res }) => {
  sendJson(res, 200, { status: 'ok' });
};

/**
 * `/readyz`: 200 while every check's latest probe passed, else 503 naming each failed check, why,
 * and since when. Answers from the monitor's cached outcomes, never waiting on a dependency.
 */
export function createReadyzHandler(options: ReadyzOptions): Handler {
  return async ({ res }) => {
    const { ready, checks } = await options.monitor.current();
    if (options.isStopping?.()) {
      sendJson(res, 503, { ready: false, status: 'stopping', checks });
      return;
    }
    sendJson(res, ready ? 200 : 503, { ready, status: ready ? 'ready' : 'not-ready', checks });
  };
}

/** The catalog check: one trivial query. */
export function catalogCheck(db: Queryable): ReadinessCheck {
  return async () => {
    try {
      await pingCatalog(db);
    } catch (error) {
      throw new Error(`the catalog database did not answer SELECT 1: ${reasonOf(error)}`, { cause: error });
    }
  };
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const message = error.message || error.name;
    return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}
