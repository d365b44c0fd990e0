import type { Queryable } from '../catalog/database.js';
import { sendJson } from './respond.js';
import type { Handler } from './router.js';

/** A dependency check for `/readyz`: resolves when reachable, rejects with the reason otherwise. */
export type ReadinessCheck = () => Promise<void>;

export interface HealthOptions {
  /** Named checks run (in parallel) on every `/readyz`: typically `db` and `queue`. */
  checks: Record<string, ReadinessCheck>;
  /** A check slower than this counts as failed; default 2 s. */
  timeoutMs?: number;
  /** True while the server shuts down, so a load balancer stops sending new requests. */
  isStopping?: () => boolean;
}

/** `/healthz`: the process is up and serving HTTP; says nothing about its dependencies. */
export const healthzHandler: Handler = ({ res }) => {
  sendJson(res, 200, { status: 'ok' });
};

/** `/readyz`: 200 when every check passed, else 503 naming each failed check and why. */
export function createReadyzHandler(options: HealthOptions): Handler {
  const timeoutMs = options.timeoutMs ?? 2000;
  return async ({ res }) => {
    if (options.isStopping?.()) {
      sendJson(res, 503, { status: 'stopping', checks: {} });
      return;
    }
    const names = Object.keys(options.checks);
    const results = await Promise.all(names.map((name) => runCheck(options.checks[name]!, timeoutMs)));
    const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
    const ready = results.every((result) => result === 'ok');
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not-ready', checks });
  };
}

/** The catalog check: one trivial query. */
export function databaseCheck(db: Queryable): ReadinessCheck {
  return async () => {
    await db.query('SELECT 1');
  };
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(check), timeout]);
    return 'ok';
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}
