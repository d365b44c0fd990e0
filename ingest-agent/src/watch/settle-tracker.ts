/**
 * The settle state machine of every delivery in the drop dir, without timers or I/O: it is told
 * what changed and when, and answers which deliveries are due for a completeness check and which
 * may be ingested now. Deliveries never wait on each other except for the shared ingest limit.
 *
 *   waiting ──quiet for settleMs──▶ checking ──settled──▶ ready ──slot free──▶ ingesting
 *      ▲                               │ unstable → waiting        done/refused → idle
 *      │                               │ incomplete/unchanged → idle   failed → retrying
 *      │                               │ (incomplete may carry a re-check time: idle until then)
 *      │                               │                               deferred → waiting
 *      └──────────── any change (from idle, ready, retrying; after checking/ingesting end) ◀┘
 */

export type DeliveryPhase = 'waiting' | 'checking' | 'ready' | 'ingesting' | 'idle' | 'retrying';

/** What the completeness check found (see checkDelivery). */
export type CheckOutcome =
  /** Stable and every media file probes complete: may be ingested. */
  | 'settled'
  /** Something changed while it was being checked: start the quiet period again. */
  | 'unstable'
  /** Stable but not complete (a media file does not probe, or no files): wait for a change. */
  | 'incomplete'
  /** Exactly what was ingested or refused before: nothing to do until it changes. */
  | 'unchanged';

/** `deferred`: the ingest found files still being copied; the quiet period starts again. */
export type IngestOutcome = 'done' | 'refused' | 'deferred' | 'failed';

/** Why an idle delivery is idle. */
export type IdleReason = 'ingested' | 'refused' | 'incomplete' | 'unchanged';

export interface SettleTrackerOptions {
  /** Quiet time before a delivery is checked, in ms. */
  settleMs: number;
  /** Ingests running at once across all deliveries. */
  maxConcurrentIngests: number;
  /** Wait after a failed ingest before checking the delivery again, in ms. */
  retryFailedMs: number;
}

export interface DeliveryStatus {
  phase: DeliveryPhase;
  /** Last change seen (ms, same clock as the `now` arguments). */
  lastChangeAt: number;
  idleReason?: IdleReason | undefined;
  retryAt?: number | undefined;
}

interface Entry {
  phase: DeliveryPhase;
  lastChangeAt: number;
  /** A change arrived while checking or ingesting: that result is stale. */
  dirty: boolean;
  /** The folder went away while checking or ingesting: drop the entry when that ends. */
  removed: boolean;
  idleReason?: IdleReason | undefined;
  retryAt?: number | undefined;
}

/** The answer to `observe`: whether the delivery is new, and the phase it was in before. */
export interface Observation {
  isNew: boolean;
  previous: DeliveryPhase | undefined;
  phase: DeliveryPhase;
}

export class SettleTracker {
  readonly #options: SettleTrackerOptions;
  readonly #entries = new Map<string, Entry>();
  /** Settled deliveries in the order they settled, waiting for an ingest slot. */
  readonly #readyQueue: string[] = [];

  constructor(options: SettleTrackerOptions) {
    if (!(options.settleMs >= 0)) throw new RangeError(`settleMs must be 0 or more, got ${options.settleMs}`);
    if (!(options.maxConcurrentIngests >= 1)) {
      throw new RangeError(`maxConcurrentIngests must be at least 1, got ${options.maxConcurrentIngests}`);
    }
    if (!(options.retryFailedMs >= 0)) {
      throw new RangeError(`retryFailedMs must be 0 or more, got ${options.retryFailedMs}`);
    }
    this.#options = options;
  }

  /**
   * Something in the delivery changed at `now` (a file or the folder appeared, changed or went).
   * @param create false for removals: a removal inside an unknown delivery does not make it one
   */
  observe(name: string, now: number, create = true): Observation | undefined {
    const entry = this.#entries.get(name);
    if (entry === undefined) {
      if (!create) return undefined;
      this.#entries.set(name, { phase: 'waiting', lastChangeAt: now, dirty: false, removed: false });
      return { isNew: true, previous: undefined, phase: 'waiting' };
    }
    const previous = entry.phase;
    entry.lastChangeAt = Math.max(entry.lastChangeAt, now);
    entry.removed = false;
    if (previous === 'checking' || previous === 'ingesting') {
      entry.dirty = true;
    } else {
      if (previous === 'ready') this.#unqueue(name);
      this.#toWaiting(entry);
    }
    return { isNew: false, previous, phase: entry.phase };
  }

  /** The delivery folder is gone (removed, or moved to processed/ or rejected/). */
  forget(name: string): void {
    const entry = this.#entries.get(name);
    if (entry === undefined) return;
    if (entry.phase === 'checking' || entry.phase === 'ingesting') {
      entry.removed = true;
      return;
    }
    this.#unqueue(name);
    this.#entries.delete(name);
  }

  /** Deliveries quiet for settleMs (or whose retry time came), now moved to `checking`. */
  takeDue(now: number): string[] {
    const due: string[] = [];
    for (const [name, entry] of this.#entries) {
      const isDue =
        (entry.phase === 'waiting' && now - entry.lastChangeAt >= this.#options.settleMs) ||
        ((entry.phase === 'retrying' || entry.phase === 'idle') &&
          entry.retryAt !== undefined &&
          now >= entry.retryAt);
      if (!isDue) continue;
      entry.phase = 'checking';
      entry.dirty = false;
      entry.retryAt = undefined;
      due.push(name);
    }
    return due;
  }

  /**
   * Records the completeness check's result; returns the phase the delivery is in afterwards.
   * @param recheckAt for `incomplete`: when to check it again although nothing changed (a quiet
   *   delivery that stays incomplete is handed over to be refused after a bounded wait)
   */
  checked(name: string, now: number, outcome: CheckOutcome, recheckAt?: number): DeliveryPhase | undefined {
    const entry = this.#entries.get(name);
    if (entry === undefined || entry.phase !== 'checking') return entry?.phase;
    if (this.#dropIfRemoved(name, entry)) return undefined;
    if (entry.dirty || outcome === 'unstable') {
      if (outcome === 'unstable') entry.lastChangeAt = Math.max(entry.lastChangeAt, now);
      this.#toWaiting(entry);
    } else if (outcome === 'settled') {
      entry.phase = 'ready';
      this.#readyQueue.push(name);
    } else {
      this.#toIdle(entry, outcome);
      if (outcome === 'incomplete' && recheckAt !== undefined) entry.retryAt = recheckAt;
    }
    return entry.phase;
  }

  /** Moves settled deliveries into `ingesting` while the concurrency limit allows, oldest first. */
  takeReady(): string[] {
    const started: string[] = [];
    let running = this.count('ingesting');
    while (running < this.#options.maxConcurrentIngests) {
      const name = this.#readyQueue.shift();
      if (name === undefined) break;
      const entry = this.#entries.get(name);
      if (entry?.phase !== 'ready') continue;
      entry.phase = 'ingesting';
      entry.dirty = false;
      running += 1;
      started.push(name);
    }
    return started;
  }

  /** Records an ingest's result; returns the phase afterwards (undefined when the folder is gone). */
  ingested(name: string, now: number, outcome: IngestOutcome): DeliveryPhase | undefined {
    const entry = this.#entries.get(name);
    if (entry === undefined || entry.phase !== 'ingesting') return entry?.phase;
    if (this.#dropIfRemoved(name, entry)) return undefined;
    if (entry.dirty || outcome === 'deferred') {
      if (outcome === 'deferred') entry.lastChangeAt = Math.max(entry.lastChangeAt, now);
      this.#toWaiting(entry);
    } else if (outcome === 'failed') {
      entry.phase = 'retrying';
      entry.retryAt = now + this.#options.retryFailedMs;
    } else {
      this.#toIdle(entry, outcome === 'done' ? 'ingested' : 'refused');
    }
    return entry.phase;
  }

  /** When `takeDue` next has something to return, or undefined when nothing is counting down. */
  nextWakeAt(): number | undefined {
    let next: number | undefined;
    for (const entry of this.#entries.values()) {
      const at =
        entry.phase === 'waiting'
          ? entry.lastChangeAt + this.#options.settleMs
          : entry.phase === 'retrying' || entry.phase === 'idle'
            ? entry.retryAt
            : undefined;
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  status(name: string): DeliveryStatus | undefined {
    const entry = this.#entries.get(name);
    if (entry === undefined) return undefined;
    const { phase, lastChangeAt, idleReason, retryAt } = entry;
    return { phase, lastChangeAt, idleReason, retryAt };
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  count(phase: DeliveryPhase): number {
    let n = 0;
    for (const entry of this.#entries.values()) if (entry.phase === phase) n += 1;
    return n;
  }

  #toWaiting(entry: Entry): void {
    entry.phase = 'waiting';
    entry.dirty = false;
    entry.idleReason = undefined;
    entry.retryAt = undefined;
  }

  #toIdle(entry: Entry, reason: IdleReason): void {
    entry.phase = 'idle';
    entry.idleReason = reason;
    entry.retryAt = undefined;
  }

  #dropIfRemoved(name: string, entry: Entry): boolean {
    if (!entry.removed) return false;
    this.#entries.delete(name);
    return true;
  }

  #unqueue(name: string): void {
    const index = this.#readyQueue.indexOf(name);
    if (index >= 0) this.#readyQueue.splice(index, 1);
  }
}
