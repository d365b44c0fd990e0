/** SQS's longest message delay. */
export const MAX_DELAY_SECONDS = 900;

export interface QuietInput {
  /** Newest LastModified of any object under the exercise prefix. */
  newestObjectAt: Date;
  now: Date;
  quietSeconds: number;
  /** A "Bundle Synced" for exactly this bundle state was seen: the agent says the sync is over. */
  coveredBySync: boolean;
}

export type QuietDecision = { quiet: true } | { quiet: false; delaySeconds: number };

/**
 * A sync puts many objects; the consumer renders once, after it ends. The bundle is quiet when
 * the agent announced this exact state, or when nothing under the prefix changed for
 * `quietSeconds` (the newest object is at least that old). Otherwise the message comes back after
 * the rest of the quiet period (rounded up, at least one second).
 */
export function decideQuiet(input: QuietInput): QuietDecision {
  if (input.coveredBySync || input.quietSeconds <= 0) return { quiet: true };
  const ageSeconds = (input.now.getTime() - input.newestObjectAt.getTime()) / 1000;
  if (ageSeconds >= input.quietSeconds) return { quiet: true };
  const remaining = Math.ceil(input.quietSeconds - Math.max(ageSeconds, 0));
  return { quiet: false, delaySeconds: Math.min(Math.max(remaining, 1), MAX_DELAY_SECONDS) };
}

/**
 * How long a failed message stays invisible before its next try: doubling with every receive, from
 * `baseSeconds`, capped at `maxSeconds` (and SQS's 12-hour limit).
 */
export function retryVisibilitySeconds(
  receiveCount: number,
  baseSeconds: number,
  maxSeconds: number,
): number {
  const attempt = Math.max(1, Math.floor(receiveCount));
  const seconds = baseSeconds * 2 ** (attempt - 1);
  return Math.min(seconds, maxSeconds, 43_200);
}

/**
 * The exercises this process sent a message back for while their bundle was not quiet yet, and when that
 * copy comes back. A sync's burst of object events then costs one deferred copy per exercise, not
 * one per event: an object event arriving before the copy is due is covered by it and deleted,
 * because the copy lists the bucket only after it comes back, later than the event's object was
 * written. The time is taken before the copy is sent (SQS cannot show it earlier), less a margin.
 */
export class DeferredCopies {
  readonly #due = new Map<string, number>();
  readonly #marginMs: number;

  /** `marginMs`: how much earlier than its delay a copy is taken to be due; default 1 s. */
  constructor(marginMs = 1000) {
    this.#marginMs = marginMs;
  }

  /** A copy of an event of `slug` is about to be sent back with `delaySeconds`. */
  deferred(slug: string, delaySeconds: number, nowMs = Date.now()): void {
    const due = nowMs + delaySeconds * 1000 - this.#marginMs;
    this.#due.set(slug, Math.max(due, this.#due.get(slug) ?? 0));
    // Entries past their time cover nothing any more.
    for (const [key, at] of this.#due) if (at <= nowMs) this.#due.delete(key);
  }

  /** Whether a copy for `slug` is still to come back, so an object event of it needs no handling. */
  covers(slug: string, nowMs = Date.now()): boolean {
    return (this.#due.get(slug) ?? 0) > nowMs;
  }
}
