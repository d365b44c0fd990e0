import { describe, expect, it } from 'vitest';
import { HttpError } from './http-error.js';
import { type Route, resolveRoute } from './router.js';

const noop = () => {};
const routes: Route[] = [
  { method: 'POST', path: '/v1/compose', handler: noop },
  { method: 'GET', path: '/media/:id/:file', handler: noop },
  { method: 'GET', path: '/assets/*', handler: noop },
  { method: 'GET', path: '/', handler: noop },
];

describe('resolveRoute', () => {
  it('matches fixed paths, decoded parameters and rest paths', () => {
    expect(resolveRoute(routes, 'POST', '/v1/compose')).toMatchObject({ kind: 'match', params: {} });
    expect(resolveRoute(routes, 'GET', '/media/abc/play%20list.m3u8')).toMatchObject({
      kind: 'match',
      params: { id: 'abc', file: 'play list.m3u8' },
    });
    expect(resolveRoute(routes, 'GET', '/assets/css/app.css')).toMatchObject({
      params: { '*': 'css/app.css' },
    });
    expect(resolveRoute(routes, 'HEAD', '/')).toMatchObject({ kind: 'match' });
  });

  it('tells a wrong method from an unknown path', () => {
    expect(resolveRoute(routes, 'GET', '/v1/compose')).toEqual({
      kind: 'method-not-allowed',
      allow: ['POST'],
    });
    expect(resolveRoute(routes, 'GET', '/media/abc')).toEqual({ kind: 'not-found' });
    expect(resolveRoute(routes, 'GET', '/v1/compose/extra')).toEqual({ kind: 'not-found' });
    expect(resolveRoute(routes, 'GET', '/assets/')).toEqual({ kind: 'not-found' });
  });

  it('refuses dot segments, encoded slashes and broken percent-encoding before any handler', () => {
    for (const raw of [
      '/media/../x',
      '/media/%2E%2E/x',
      '/media/a/..%2fx',
      '/assets/./a.js',
      '/media/%zz/a',
    ]) {
      expect(() => resolveRoute(routes, 'GET', raw), raw).toThrow(HttpError);
    }
  });
});
