import { request } from 'node:http';
import { trackResource } from '@exercise-pipeline/test/harness';
import { describe, expect, it } from 'vitest';
import { readJsonBody } from './json-body.js';
import { sendJson } from './respond.js';
import { createHttpServer } from './server.js';

async function echoServer(maxBytes: number) {
  const server = createHttpServer({
    port: 0,
    host: '127.0.0.1',
    routes: [
      {
        method: 'POST',
        path: '/echo',
        handler: async ({ req, res }) => sendJson(res, 200, { got: await readJsonBody(req, maxBytes) }),
      },
    ],
  });
  const { port } = await server.start();
  return { port, tracked: trackResource('server', 'echo server', () => server.stop()) };
}

/** Sends a body in chunks without Content-Length, as a streaming client does. */
function postChunked(port: number, chunks: string[], contentType = 'application/json') {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/echo', method: 'POST', headers: { 'content-type': contentType } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString('utf8');
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('readJsonBody', () => {
  it('reads a chunked JSON body', async () => {
    const { port, tracked } = await echoServer(1024);
    const answer = await postChunked(port, ['{"a":', '[1,2]}']);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ got: { a: [1, 2] } });
    await tracked.close();
  });

  it('refuses a chunked body that grows past the limit with 413', async () => {
    const { port, tracked } = await echoServer(100);
    const answer = await postChunked(port, ['{"a":"', 'x'.repeat(80), 'x'.repeat(80), '"}']);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
    await tracked.close();
  });

  it('refuses a body that is not JSON by its content type with 415, and an empty one with 400', async () => {
    const { port, tracked } = await echoServer(1024);
    expect((await postChunked(port, ['a=b'], 'application/x-www-form-urlencoded')).status).toBe(415);
    const empty = await postChunked(port, []);
    expect(empty.status).toBe(400);
    expect(JSON.parse(empty.body)).toMatchObject({ error: { code: 'BODY_MISSING' } });
    await tracked.close();
  });
});
