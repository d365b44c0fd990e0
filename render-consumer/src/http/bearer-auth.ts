import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/**
 * True when an `Authorization` header carries exactly `Bearer <token>`. Both sides are hashed
 * first so the comparison takes the same time whatever the length or content of the guess.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  const presented = match?.[1] ?? '';
  const equal = timingSafeEqual(digest(presented), digest(token));
  return equal && presented !== '';
}

/** Throws 401 with a `WWW-Authenticate` challenge unless the request carries the token. */
export function requireBearer(req: IncomingMessage, token: string | undefined): void {
  if (token === undefined || token === '') return;
  const header = req.headers.authorization;
  if (bearerMatches(header, token)) return;
  const presented = header !== undefined;
  throw new HttpError(
    401,
    'UNAUTHORIZED',
    presented
      ? 'the bearer token is not valid; send the COMPOSER_API_TOKEN the consumer runs with'
      : 'this endpoint needs "Authorization: Bearer <token>" with the COMPOSER_API_TOKEN the consumer runs with',
    {
      headers: {
        'www-authenticate': presented
          ? 'Bearer realm="exercise-consumer", error="invalid_token"'
          : 'Bearer realm="exercise-consumer"',
      },
    },
  );
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
