import { connect, createServer, type Server, type Socket } from 'node:net';
import { trackResource } from '../harness/index.js';

export interface ThrottleProxy {
  endpoint: string;
  close(): Promise<void>;
}

const CHUNK = 8 * 1024;

/**
 * A TCP proxy in front of an endpoint that lets request bytes through at `bytesPerSecond`, so an
 * upload to a local emulator lasts long enough to be interrupted. Responses pass at full speed.
 */
export async function startThrottleProxy(
  target: string,
  bytesPerSecond: number,
  port = 0,
): Promise<ThrottleProxy> {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(targetPort), hostname);
    sockets.add(client);
    sockets.add(upstream);
    upstream.pipe(client);
    let queue = Promise.resolve();
    client.on('data', (data: Buffer) => {
      client.pause();
      queue = queue.then(async () => {
        for (let offset = 0; offset < data.length; offset += CHUNK) {
          const piece = data.subarray(offset, offset + CHUNK);
          await new Promise((resolve) => setTimeout(resolve, (piece.length / bytesPerSecond) * 1000));
          if (upstream.destroyed) return;
          upstream.write(piece);
        }
        client.resume();
      });
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const listening = typeof address === 'object' && address !== null ? address.port : 0;
  const tracked = trackResource('server', `throttle proxy :${listening}`, async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { endpoint: `http://127.0.0.1:${listening}`, close: () => tracked.close() };
}
