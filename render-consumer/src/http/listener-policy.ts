import { isIP } from 'node:net';
import { requireBearer } from './bearer-auth.js';
import type { Route } from './router.js';

/** Whether `host` only ever accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

/**
 * The one-line refusal of a listener reachable from other machines without a token, or undefined
 * when the combination is safe: anyone who can reach the port could otherwise start renders and
 * read the status page (DLQ bodies, hosts).
 */
export function listenerRefusal(host: string, token: string | undefined): string | undefined {
  if (isLoopbackHost(host) || (token !== undefined && token !== '')) return undefined;
  return (
    `COMPOSER_API_TOKEN must be set when COMPOSER_HOST=${host} (not a loopback address): ` +
    'every route but /healthz and /readyz then needs it; or listen on 127.0.0.1'
  );
}

export interface RouteGuardOptions {
  /** COMPOSER_API_TOKEN; unset → every route is open (the listener is loopback-only then). */
  token: string | undefined;
  /** METRICS_REQUIRE_TOKEN; default true. */
  metricsRequireToken?: boolean;
}

/** Paths whose answers carry no data: the health checks, and the status page's shell and scripts. */
const OPEN_PATHS = new Set(['/healthz', '/readyz', '/', '/assets/*', '/vendor/hls.min.js']);

/**
 * Puts the bearer check in front of every route but the open ones and those marked `public` (which
 * authenticate in their own way, like a signed webhook). The status page's shell loads without the
 * token and asks for it; every route that answers with data needs it.
 */
export function guardRoutes(routes: readonly Route[], options: RouteGuardOptions): Route[] {
  const { token } = options;
  if (token === undefined || token === '') return [...routes];
  return routes.map((route) => {
    const open =
      route.public === true ||
      OPEN_PATHS.has(route.path) ||
      (route.path === '/metrics' && options.metricsRequireToken === false);
    if (open) return route;
    return {
      ...route,
      handler: (context) => {
        requireBearer(context.req, token);
        return route.handler(context);
      },
    };
  });
}
