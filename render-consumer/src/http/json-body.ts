import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/** Request bodies above this are refused with 413; a recipe is well under 1 KiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON request body of at most `maxBytes`. Throws HttpError 413 (too large, declared or
 * streamed), 415 (a content type other than JSON), or 400 naming where the JSON is broken.
 */
export async function readJsonBody(
  req: IncomingMessage,
  maxBytes = DEFAULT_MAX_BODY_BYTES,
): Promise<unknown> {
  const contentType = req.headers['content-type'];
  if (contentType !== undefined && !isJsonType(contentType)) {
    discard(req);
    throw new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `request body is ${JSON.stringify(contentType)}; send the recipe as application/json`,
      { closeConnection: true },
    );
  }
  const text = (await readRawBody(req, maxBytes)).toString('utf8');
  if (text.trim() === '') {
    throw new HttpError(400, 'BODY_MISSING', 'request body is empty; send the recipe as a JSON object');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(
      400,
      'BODY_INVALID_JSON',
      `request body is not valid JSON (${(error as Error).message}); send the recipe as a JSON object`,
    );
  }
}

/**
 * Reads a request body of at most `maxBytes` as it arrived (a signature covers the exact bytes).
 * Throws HttpError 413 when it is larger.
 */
export async function readRawBody(req: IncomingMessage, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(req);
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      discard(req);
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function isJsonType(contentType: string): boolean {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    'BODY_TOO_LARGE',
    `request body is larger than ${maxBytes} bytes; a compose recipe or a webhook call is a small JSON object`,
    { closeConnection: true },
  );
}

/**
 * The rest of a refused body is read and dropped rather than the socket destroyed, so the client
 * still receives the answer; the connection closes after it.
 */
function discard(req: IncomingMessage): void {
  req.on('error', () => {});
  req.resume();
}
