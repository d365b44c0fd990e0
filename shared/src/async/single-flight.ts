/**
 * Shares one running promise per key: callers asking for a key that is already in flight get the
 * same promise instead of starting the work again. The key is forgotten once the work finishes, so
 * a later call (after a failure, say) starts afresh.
 */
export class SingleFlight<T> {
  readonly #running = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): { promise: Promise<T>; joined: boolean } {
    const running = this.#running.get(key);
    if (running) return { promise: running, joined: true };
    const promise = Promise.resolve()
      .then(work)
      .finally(() => {
        this.#running.delete(key);
      });
    this.#running.set(key, promise);
    return { promise, joined: false };
  }

  /** Whether work for `key` is in flight. */
  has(key: string): boolean {
    return this.#running.has(key);
  }

  /** How many keys are in flight; the HTTP server waits for these on shutdown. */
  get size(): number {
    return this.#running.size;
  }

  /** Resolves when every flight running now has finished (successfully or not). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#running.values()]);
  }
}
