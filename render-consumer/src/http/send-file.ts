import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { HttpError } from './http-error.js';

export type ByteRange = { start: number; end: number };

/**
 * Reads a `Range` header against a file size: one byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`),
 * `unsatisfiable` when it starts past the end, `null` to send the whole file (no header, another
 * unit, several ranges, or a malformed value: all allowed to be ignored).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return null;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (to !== '' && Number(to) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

export interface SendFileOptions {
  contentType: string;
  cacheControl: string;
  headers?: Record<string, string>;
}

/** Streams a file (or the requested byte range of it); 404 when it is not a regular file. */
export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  options: SendFileOptions,
): Promise<void> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new HttpError(404, 'NOT_FOUND', `${req.url ?? 'this path'} does not exist`);
  const range = parseRange(req.headers.range, info.size);
  const common = {
    'content-type': options.contentType,
    'cache-control': options.cacheControl,
    'accept-ranges': 'bytes',
    'last-modified': info.mtime.toUTCString(),
    ...options.headers,
  };
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...common, 'content-range': `bytes */${info.size}`, 'content-length': '0' });
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: info.size - 1 };
  const length = info.size === 0 ? 0 : end - start + 1;
  res.writeHead(range ? 206 : 200, {
    ...common,
    'content-length': String(length),
    ...(range ? { 'content-range': `bytes ${start}-${end}/${info.size}` } : {}),
  });
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  // A client that goes away mid-file is normal for video players; the stream is simply dropped.
  await pipeline(createReadStream(file, { start, end }), res).catch(() => {});
}
