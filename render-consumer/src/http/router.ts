import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path parameters, percent-decoded: `:id` in `/media/:id/:file`; `*` holds the decoded rest. */
  params: Record<string, string>;
  /** Query string parameters. */
  query: URLSearchParams;
}

export type Handler = (context: RequestContext) => Promise<void> | void;

export interface Route {
  /** `GET` routes answer `HEAD` too (Node sends no body for HEAD). */
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `/v1/compose`, `/media/:id/:file`, `/assets/*` (the star matches one or more segments, last only). */
  path: string;
  handler: Handler;
  /**
   * Answers without COMPOSER_API_TOKEN even when one is set: only for routes that authenticate in
   * their own way (a signed webhook). See guardRoutes.
   */
  public?: boolean;
}

export type Resolution =
  | { kind: 'match'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

/**
 * Finds the route for a method and raw path. Every segment is decoded first and any `.`/`..`
 * segment (also percent-encoded) or encoded slash refuses the request, so no handler ever sees a
 * path that could climb out of a directory.
 */
export function resolveRoute(routes: readonly Route[], method: string, rawPath: string): Resolution {
  const segments = decodeSegments(rawPath);
  const allow = new Set<string>();
  for (const route of routes) {
    const params = matchPath(route.path, segments);
    if (!params) continue;
    if (route.method === method || (route.method === 'GET' && method === 'HEAD')) {
      return { kind: 'match', route, params };
    }
    allow.add(route.method);
    if (route.method === 'GET') allow.add('HEAD');
  }
  return allow.size > 0 ? { kind: 'method-not-allowed', allow: [...allow] } : { kind: 'not-found' };
}

function decodeSegments(rawPath: string): string[] {
  const parts = rawPath.split('/').slice(1);
  return parts.map((part) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      throw new HttpError(
        400,
        'PATH_INVALID',
        `path segment ${JSON.stringify(part)} is not valid percent-encoding`,
      );
    }
    if (
      decoded === '.' ||
      decoded === '..' ||
      decoded.includes('/') ||
      decoded.includes('\\') ||
      decoded.includes('\0')
    ) {
      throw new HttpError(
        400,
        'PATH_INVALID',
        'paths with "." or ".." segments or encoded slashes are refused',
      );
    }
    return decoded;
  });
}

function matchPath(pattern: string, segments: readonly string[]): Record<string, string> | null {
  const wanted = pattern.split('/').slice(1);
  const params: Record<string, string> = {};
  for (let i = 0; i < wanted.length; i++) {
    const part = wanted[i]!;
    if (part === '*') {
      const rest = segments.slice(i);
      if (rest.length === 0 || rest.some((segment) => segment === '')) return null;
      params['*'] = rest.join('/');
      return params;
    }
    const segment = segments[i];
    if (segment === undefined) return null;
    if (part.startsWith(':')) {
      if (segment === '') return null;
      params[part.slice(1)] = segment;
    } else if (part !== segment) {
      return null;
    }
  }
  return segments.length === wanted.length ? params : null;
}
