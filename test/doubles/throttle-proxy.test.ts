import { createServer, type Server, Socket } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startThrottleProxy, type ThrottleProxy } from './throttle-proxy.js';

// A TCP server that answers "done" once a connection has sent it BYTES (the proxy, like HTTP,
// does not pass a half-close on).
const BYTES = 200_000;
let server: Server;
let target: string;
const proxies: ThrottleProxy[] = [];

beforeEach(async () => {
  server = createServer((socket) => {
    let received = 0;
    socket.on('data', (data: Buffer) => {
      received += data.length;
      if (received === BYTES) socket.end('done');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  target = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Sends BYTES through the proxy; resolves with the server's count and the seconds it took. */
function send(endpoint: string): Promise<{ answer: string; seconds: number }> {
  const { port } = new URL(endpoint);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let answer = '';
    socket.on('data', (data: Buffer) => {
      answer += data.toString();
    });
    socket.on('end', () => resolve({ answer, seconds: (performance.now() - started) / 1000 }));
    socket.on('error', reject);
    socket.connect(Number(port), '127.0.0.1', () => socket.write(Buffer.alloc(BYTES, 1)));
  });
}

it('shares one link among parallel connections and delays the answers', async () => {
  const proxy = await startThrottleProxy(target, 1_000_000, { sharedLink: true, latencyMs: 100 });
  proxies.push(proxy);
  const started = performance.now();
  const results = await Promise.all([send(proxy.endpoint), send(proxy.endpoint)]);
  const total = (performance.now() - started) / 1000;
  expect(results.map((result) => result.answer)).toEqual(['done', 'done']);
  // 400 kB over one 1 MB/s link plus the answer's 100 ms: at least 0.5 s, not 0.3 s.
  expect(total).toBeGreaterThanOrEqual(0.48);
});

it('gives every connection its own rate without a shared link', async () => {
  const proxy = await startThrottleProxy(target, 1_000_000);
  proxies.push(proxy);
  const results = await Promise.all([send(proxy.endpoint), send(proxy.endpoint)]);
  expect(results.map((result) => result.answer)).toEqual(['done', 'done']);
  for (const result of results) expect(result.seconds).toBeGreaterThanOrEqual(0.19);
  // Each at its own 1 MB/s: well under the 0.4 s a shared link would need.
  expect(Math.max(...results.map((result) => result.seconds))).toBeLessThan(0.38);
});
