import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BunnyLibrary, throttled } from './bunny-stream-library.js';

/**
 * The double's resumable upload endpoint (`/tusupload`, tus 1.0.0 with the creation extension), as
 * Bunny's reference describes it: every request carries `AuthorizationSignature` =
 * sha256_hex(library_id + api_key + expiration_time + video_id), `AuthorizationExpire` (UNIX seconds),
 * `LibraryId` and `VideoId`; the creation's metadata needs `filetype` and `title`. Received bytes are
 * kept as they arrive, so a cut connection resumes at the offset HEAD reports.
 */

export interface TusUploadState {
  id: string;
  videoId: string;
  length: number;
  offset: number;
  metadata: Record<string, string>;
  /** PATCH requests that delivered bytes. */
  patches: number;
  /** Connections the double cut mid-PATCH. */
  cuts: number;
  completed: boolean;
}

interface TusUpload extends TusUploadState {
  parts: Buffer[];
}

export const TUS_PATH = '/tusupload';

export class BunnyTusEndpoint {
  readonly uploads = new Map<string, TusUpload>();
  #cutAfter: number[] = [];

  constructor(
    readonly options: {
      library: BunnyLibrary;
      libraryId: string;
      apiKey: string;
      clock: () => number;
    },
  ) {}

  /** The next PATCH requests are cut (socket destroyed) once they delivered this many bytes each. */
  cutNextPatch(afterBytes: number, count = 1): void {
    for (let index = 0; index < count; index++) this.#cutAfter.push(afterBytes);
  }

  /** Answers one request under `/tusupload`; returns the HTTP status sent (0 when the connection was cut). */
  async handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<number> {
    const method = request.method ?? 'GET';
    if (method === 'OPTIONS') {
      return send(response, 204, {
        'Tus-Version': '1.0.0',
        'Tus-Extension': 'creation',
        'Tus-Max-Size': '0',
      });
    }
    if (request.headers['tus-resumable'] !== '1.0.0') {
      await drain(request);
      return send(response, 412, { 'Tus-Version': '1.0.0' });
    }
    const refusal = this.#authorize(request);
    if (refusal !== undefined) {
      await drain(request);
      return send(response, 401, {}, refusal);
    }
    const videoId = String(request.headers.videoid);
    if (path === TUS_PATH && method === 'POST') return this.#create(request, response, videoId);
    const id = path.slice(TUS_PATH.length + 1);
    const upload = this.uploads.get(id);
    if (!upload || upload.videoId !== videoId) {
      await drain(request);
      return send(response, 404);
    }
    if (method === 'HEAD') {
      return send(response, 200, {
        'Upload-Offset': String(upload.offset),
        'Upload-Length': String(upload.length),
        'Cache-Control': 'no-store',
      });
    }
    if (method === 'PATCH') return this.#patch(request, response, upload);
    await drain(request);
    return send(response, 405);
  }

  #authorize(request: IncomingMessage): string | undefined {
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const signature = header('authorizationsignature');
    const expire = header('authorizationexpire');
    const libraryId = header('libraryid');
    const videoId = header('videoid');
    if (!signature || !expire || !libraryId || !videoId) {
      return 'AuthorizationSignature, AuthorizationExpire, LibraryId and VideoId are required';
    }
    if (libraryId !== this.options.libraryId) return 'unknown library';
    if (!/^\d+$/.test(expire) || Number(expire) <= this.options.clock() / 1000 || Number(expire) > 1e11) {
      return 'AuthorizationExpire must be a future UNIX time in seconds';
    }
    const expected = createHash('sha256')
      .update(`${libraryId}${this.options.apiKey}${expire}${videoId}`)
      .digest('hex');
    if (signature !== expected) return 'invalid AuthorizationSignature';
    if (!this.options.library.videos.has(videoId)) return 'unknown video';
    return undefined;
  }

  async #create(request: IncomingMessage, response: ServerResponse, videoId: string): Promise<number> {
    await drain(request);
    const length = Number(request.headers['upload-length']);
    if (!Number.isSafeInteger(length) || length < 0)
      return send(response, 400, {}, 'Upload-Length is required');
    const metadata = parseMetadata(String(request.headers['upload-metadata'] ?? ''));
    if (!metadata.filetype || !metadata.title) {
      return send(response, 400, {}, 'Upload-Metadata needs filetype and title');
    }
    const upload: TusUpload = {
      id: randomUUID(),
      videoId,
      length,
      offset: 0,
      metadata,
      patches: 0,
      cuts: 0,
      completed: false,
      parts: [],
    };
    this.uploads.set(upload.id, upload);
    return send(response, 201, { Location: `${TUS_PATH}/${upload.id}` });
  }

  async #patch(request: IncomingMessage, response: ServerResponse, upload: TusUpload): Promise<number> {
    if (request.headers['content-type'] !== 'application/offset+octet-stream') {
      await drain(request);
      return send(response, 415);
    }
    if (Number(request.headers['upload-offset']) !== upload.offset) {
      await drain(request);
      return send(response, 409, { 'Upload-Offset': String(upload.offset) });
    }
    const cutAfter = this.#cutAfter.shift();
    let received = 0;
    upload.patches++;
    try {
      for await (const chunk of throttled(request, this.options.library.options.uploadBytesPerSecond)) {
        const room = upload.length - upload.offset;
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        upload.parts.push(part);
        upload.offset += part.length;
        received += part.length;
        if (cutAfter !== undefined && received >= cutAfter) {
          upload.cuts++;
          // A dropped connection: what arrived stays, the client finds the offset with HEAD.
          request.socket.destroy();
          return 0;
        }
      }
    } catch {
      return 0; // the client went away; the bytes received so far are kept
    }
    if (upload.offset === upload.length && !upload.completed) {
      upload.completed = true;
      const data = Buffer.concat(upload.parts);
      upload.parts = [data];
      if (!(await this.options.library.completeResumableUpload(upload.videoId, data, upload.patches))) {
        return send(response, 400, {}, 'The video has already been uploaded.');
      }
    }
    return send(response, 204, { 'Upload-Offset': String(upload.offset) });
  }
}

function parseMetadata(header: string): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of header.split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key) metadata[key] = value ? Buffer.from(value, 'base64').toString('utf8') : '';
  }
  return metadata;
}

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
  text?: string,
): number {
  if (response.destroyed) return 0;
  response.writeHead(status, { 'Tus-Resumable': '1.0.0', ...headers });
  response.end(text);
  return status;
}

async function drain(request: IncomingMessage): Promise<void> {
  if (request.readableEnded || request.destroyed) return;
  try {
    for await (const _ of request) {
      // discard
    }
  } catch {
    // client gone
  }
}
