import { AsyncLocalStorage } from 'node:async_hooks';
import { availableParallelism } from 'node:os';
import { PipelineError } from '@exercise-pipeline/shared';
import type { Publisher } from '../publish/publisher.js';
import type { ComposeFn } from '../render/ensure-render.js';

/** Default of COMPOSE_MAX_CONCURRENT: half the CPUs (ffmpeg uses more than one), at least 1. */
export function defaultMaxConcurrentRenders(cpus = availableParallelism()): number {
  return Math.max(1, Math.floor(cpus / 2));
}

/** Default of COMPOSE_QUEUE_SIZE: compose requests that may wait for a render slot. */
export const DEFAULT_COMPOSE_QUEUE_SIZE = 16;

export interface ComposeGateOptions {
  /** COMPOSE_MAX_CONCURRENT: renders (ffmpeg plus upload) in flight at once; default from the CPU count. */
  maxConcurrent?: number;
  /** COMPOSE_QUEUE_SIZE: compose requests waiting for a slot before the next is refused; default 16. */
  queueSize?: number;
}

/** A compose request arrived while every render slot was busy and the wait queue was full. */
export class ComposeBusyError extends PipelineError {
  readonly retryAfterSeconds: number;

  constructor(running: number, waiting: number, retryAfterSeconds: number) {
    super(
      `the consumer is rendering ${running} recipe(s) with ${waiting} waiting, its limit; repeat the request in ${retryAfterSeconds} s`,
      { code: 'COMPOSE_BUSY', retryable: true },
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Whether the work running in this async context may be refused when the queue is full. */
const admission = new AsyncLocalStorage<{ refuseWhenFull: boolean }>();

/**
 * Bounds the renders one process runs: at most `maxConcurrent` hold a slot, and compose requests
 * beyond those wait in a queue of `queueSize`; one more is refused with ComposeBusyError. Queue
 * messages are never refused (CONSUMER_CONCURRENCY bounds them already): they wait their turn in the
 * same first-come order, so the API and the queue share the machine instead of each assuming it.
 */
export class ComposeGate {
  readonly maxConcurrent: number;
  readonly queueSize: number;
  #running = 0;
  #peak = 0;
  #rejected = 0;
  readonly #waiting: { resolve: () => void; refusable: boolean }[] = [];
  /** Mean seconds a slot was held, recently (exponential average); undefined before the first. */
  #meanSeconds: number | undefined;

  constructor(options: ComposeGateOptions = {}) {
    this.maxConcurrent = options.maxConcurrent ?? defaultMaxConcurrentRenders();
    this.queueSize = options.queueSize ?? DEFAULT_COMPOSE_QUEUE_SIZE;
  }

  get running(): number {
    return this.#running;
  }

  /** Compose requests waiting for a slot (queue messages waiting are not counted against the queue). */
  get waiting(): number {
    return this.#waiting.filter((waiter) => waiter.refusable).length;
  }

  /** The most renders that ever ran at once in this process. */
  get peak(): number {
    return this.#peak;
  }

  /** Compose requests refused because the queue was full. */
  get rejected(): number {
    return this.#rejected;
  }

  /** True when a compose request arriving now would be refused. */
  get saturated(): boolean {
    return this.#running >= this.maxConcurrent && this.waiting >= this.queueSize;
  }

  /** Seconds a refused client should wait: about one slot's turn for everyone ahead of it. */
  retryAfterSeconds(): number {
    const turns = Math.ceil((this.waiting + 1) / this.maxConcurrent);
    const estimate = Math.ceil((this.#meanSeconds ?? 10) * turns);
    return Math.min(300, Math.max(1, estimate));
  }

  /** Runs `work` as a compose request: what it renders is refused, not queued, when the queue is full. */
  refusingWhenFull<T>(work: () => Promise<T>): Promise<T> {
    if (this.saturated) return Promise.reject(this.#busy());
    return admission.run({ refuseWhenFull: true }, work);
  }

  /** Waits for a slot; resolves with its release (call once). */
  async acquire(): Promise<() => void> {
    const refusable = admission.getStore()?.refuseWhenFull === true;
    if (this.#running < this.maxConcurrent && this.#waiting.length === 0) {
      this.#running += 1;
    } else {
      if (refusable && this.waiting >= this.queueSize) throw this.#busy();
      // A released slot is handed straight to the first waiter, so nobody can overtake the queue.
      await new Promise<void>((resolve) => this.#waiting.push({ resolve, refusable }));
    }
    this.#peak = Math.max(this.#peak, this.#running);
    const started = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const seconds = (performance.now() - started) / 1000;
      this.#meanSeconds = this.#meanSeconds === undefined ? seconds : this.#meanSeconds * 0.7 + seconds * 0.3;
      const next = this.#waiting.shift();
      if (next) next.resolve();
      else this.#running -= 1;
    };
  }

  #busy(): ComposeBusyError {
    this.#rejected += 1;
    return new ComposeBusyError(this.#running, this.waiting, this.retryAfterSeconds());
  }
}

/**
 * The composer and publisher EnsureRender gets, holding one slot of `gate` from the start of a
 * render's ffmpeg run to the end of its upload: a render is "in flight" for that whole time.
 */
export function gateRenders(
  gate: ComposeGate,
  compose: ComposeFn,
  publisher: Publisher,
): { compose: ComposeFn; publisher: Publisher } {
  const held = new Map<string, () => void>();
  const gatedCompose: ComposeFn = async (options) => {
    const release = await gate.acquire();
    try {
      const result = await compose(options);
      held.set(result.path, release);
      return result;
    } catch (error) {
      release();
      throw error;
    }
  };
  const gatedPublish: Publisher['publish'] = async (input) => {
    const release = held.get(input.filePath);
    held.delete(input.filePath);
    try {
      return await publisher.publish(input);
    } finally {
      release?.();
    }
  };
  // Every other member is the publisher's own, whatever it has.
  const gatedPublisher = new Proxy(publisher, {
    get(target, property) {
      if (property === 'publish') return gatedPublish;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { compose: gatedCompose, publisher: gatedPublisher };
}
