/**
 * One task at a time per key inside this process, in arrival order: per-key mutual exclusion with
 * a queue, for work that must never overlap for one thing (an exercise's bundle, say) while
 * different keys run side by side.
 */
export class KeyLocks {
  /** key → the promise that resolves when the last holder queued for it is done. */
  readonly #tails = new Map<string, Promise<void>>();

  /** Whether some task holds (or waits for) `key` right now. */
  isBusy(key: string): boolean {
    return this.#tails.has(key);
  }

  /**
   * Runs `task` once every earlier holder of `key` has finished. `onWait` is called first when
   * the key is busy. Aborting `signal` while waiting rejects with its reason and gives up the
   * place in the queue without running the task.
   */
  async run<T>(
    key: string,
    task: () => Promise<T>,
    options: { signal?: AbortSignal; onWait?: () => void } = {},
  ): Promise<T> {
    const previous = this.#tails.get(key);
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = (previous ?? Promise.resolve()).then(() => mine);
    this.#tails.set(key, tail);
    try {
      if (previous !== undefined) {
        options.onWait?.();
        await untilAborted(previous, options.signal);
      }
      options.signal?.throwIfAborted();
      return await task();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

function untilAborted(work: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return work;
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
    );
  });
}
