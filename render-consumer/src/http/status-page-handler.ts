import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError } from './http-error.js';
import type { Handler } from './router.js';
import { sendFile } from './send-file.js';

/** Where the status page's files live: `index.html` and `assets/…`. */
export const STATUS_PAGE_DIR = fileURLToPath(new URL('./status-page/', import.meta.url));

const SEGMENT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const STATIC_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** `GET /`: the status page. */
export function createIndexHandler(root = STATUS_PAGE_DIR): Handler {
  return ({ req, res }) => sendStatic(req, res, path.join(root, 'index.html'));
}

/** `GET /assets/*`: the page's scripts, styles and images; only plain names, only known types. */
export function createAssetsHandler(root = STATUS_PAGE_DIR): Handler {
  const assets = path.resolve(root, 'assets');
  return ({ req, res, params }) => {
    const segments = (params['*'] ?? '').split('/');
    if (!segments.every((segment) => SEGMENT_PATTERN.test(segment) && !segment.includes('..'))) {
      throw new HttpError(400, 'PATH_INVALID', 'asset paths are plain names such as /assets/app.js');
    }
    const file = path.join(assets, ...segments);
    if (!file.startsWith(`${assets}${path.sep}`)) {
      throw new HttpError(400, 'PATH_INVALID', 'asset paths stay inside the assets directory');
    }
    return sendStatic(req, res, file);
  };
}

function sendStatic(req: Parameters<Handler>[0]['req'], res: Parameters<Handler>[0]['res'], file: string) {
  const contentType = STATIC_TYPES[path.extname(file).toLowerCase()];
  if (contentType === undefined)
    throw new HttpError(404, 'NOT_FOUND', `${req.url ?? 'this path'} does not exist`);
  return sendFile(req, res, file, { contentType, cacheControl: 'no-cache' });
}
