import type { Queryable } from '../catalog/database.js';
import { extendLease } from '../catalog/renders.js';

export interface LeaseKeeperOptions {
  db: Queryable;
  renderId: number;
  owner: string;
  leaseSeconds: number;
  /** How often the lease is renewed; default a third of the lease, so two renewals may fail in a row. */
  intervalMs?: number;
  /** Called once when a renewal finds the lease gone (superseded row, or taken over after expiry). */
  onLost: (reason: string) => void;
}

export interface LeaseKeeper {
  /** True once a renewal found the lease gone. */
  readonly lost: boolean;
  /** Renews the lease now; false when it is no longer ours. */
  confirm(): Promise<boolean>;
  /** Stops renewing; waits for a renewal that is running. */
  stop(): Promise<void>;
}

/**
 * Keeps a render's lease alive while it renders. A consumer that dies stops renewing, its lease
 * runs out and the next consumer that needs the row takes it over; a live one renews well before.
 */
export function keepLease(options: LeaseKeeperOptions): LeaseKeeper {
  const intervalMs = options.intervalMs ?? Math.max(100, (options.leaseSeconds * 1000) / 3);
  let lost = false;
  let running: Promise<boolean> | undefined;

  const renew = (): Promise<boolean> => {
    running ??= extendLease(options.db, options.renderId, options.owner, options.leaseSeconds)
      .then(
        (held) => {
          if (!held && !lost) {
            lost = true;
            options.onLost('is no longer leased to this consumer (superseded, or taken over)');
          }
          return held;
        },
        // A failed renewal (database briefly away) is not a lost lease; the next one may succeed,
        // and the lease outlives two missed renewals.
        () => !lost,
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = setInterval(() => void renew(), intervalMs);
  timer.unref();

  return {
    get lost() {
      return lost;
    },
    async confirm() {
      await running;
      return renew();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
