/**
 * One delivery at a time per exercise inside this agent process. A bundle's prefix must only ever
 * hold one delivery's files: two deliveries for one slug (`001 Squat` and `001 Squat (2)`, or two
 * folders mapped to one slug) uploading at once could leave one's videos next to the other's, under
 * a manifest that describes neither. The second one waits for the first to finish its sync, then
 * stages and syncs its own bundle as a whole.
 */
export class ExerciseLocks {
  /** slug → the promise that settles when the last holder queued for it is done. */
  readonly #tails = new Map<string, Promise<void>>();

  /** Whether some delivery holds (or waits for) the exercise right now. */
  isBusy(slug: string): boolean {
    return this.#tails.has(slug);
  }

  /**
   * Runs `task` once every earlier holder of `slug` has finished. `onWait` is called first when
   * the exercise is busy. Aborting `signal` while waiting rejects with its reason and gives up the
   * place in the queue without running the task.
   */
  async run<T>(
    slug: string,
    task: () => Promise<T>,
    options: { signal?: AbortSignal; onWait?: () => void } = {},
  ): Promise<T> {
    const previous = this.#tails.get(slug);
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = (previous ?? Promise.resolve()).then(() => mine);
    this.#tails.set(slug, tail);
    try {
      if (previous !== undefined) {
        options.onWait?.();
        await untilAborted(previous, options.signal);
      }
      options.signal?.throwIfAborted();
      return await task();
    } finally {
      release();
      if (this.#tails.get(slug) === tail) this.#tails.delete(slug);
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

/** The locks every ingest in this process shares unless it is given its own. */
export const processExerciseLocks = new ExerciseLocks();
