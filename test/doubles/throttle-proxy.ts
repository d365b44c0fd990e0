import { connect, createServer, type Server, type Socket } from 'node:net';
import { trackResource } from '../harness/resources.js';

export interface ThrottleProxy {
  endpoint: string;
  close(): Promise<void>;
}

export interface ThrottleProxyOptions {
  /** Port to listen on (0: any free one), e.g. to bring a proxy back where an earlier one was. */
  port?: number;
  /**
   * One link for every connection, as an office's internet uplink is: parallel uploads share
   * `bytesPerSecond`. Without it each connection gets `bytesPerSecond` of its own.
   */
  sharedLink?: boolean;
  /** Every response byte arrives this much later (the way back of a round trip). */
  latencyMs?: number;
}

const CHUNK = 8 * 1024;

/** When the link is next free; a chunk of n bytes occupies it for n / bytesPerSecond. */
interface Link {
  freeAt: number;
}

/**
 * A TCP proxy in front of an endpoint that lets request bytes through at `bytesPerSecond`, so an
 * upload to a local emulator lasts as long as over a real uplink (or long enough to be
 * interrupted). Responses pass at full speed, `latencyMs` late. A paused read is what slows the
 * sender: the socket fills and TCP holds the client back.
 */
export async function startThrottleProxy(
  target: string,
  bytesPerSecond: number,
  options: ThrottleProxyOptions = {},
): Promise<ThrottleProxy> {
  if (!(bytesPerSecond > 0)) throw new RangeError(`bytesPerSecond must be positive, got ${bytesPerSecond}`);
  const { hostname, port: targetPort } = new URL(target);
  const latencyMs = options.latencyMs ?? 0;
  const sharedLink: Link | undefined = options.sharedLink ? { freeAt: 0 } : undefined;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const link = sharedLink ?? { freeAt: 0 };
    const upstream = connect(Number(targetPort), hostname);
    sockets.add(client);
    sockets.add(upstream);
    if (latencyMs > 0) {
      // Same delay for every chunk: timers fire in the order they were set, so bytes stay in order.
      upstream.on('data', (data: Buffer) => {
        setTimeout(() => {
          if (!client.destroyed) client.write(data);
        }, latencyMs);
      });
      upstream.on('end', () => setTimeout(() => client.end(), latencyMs));
    } else {
      upstream.pipe(client);
    }
    let queue = Promise.resolve();
    client.on('data', (data: Buffer) => {
      client.pause();
      queue = queue.then(async () => {
        for (let offset = 0; offset < data.length; offset += CHUNK) {
          const piece = data.subarray(offset, offset + CHUNK);
          // Reserve the link's next slot; the schedule, not the timers' lateness, sets the rate.
          link.freeAt = Math.max(link.freeAt, performance.now()) + (piece.length / bytesPerSecond) * 1000;
          const wait = link.freeAt - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
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
    // What the endpoint sent before it closed still arrives, latencyMs late.
    upstream.on('close', () => (latencyMs > 0 ? setTimeout(close, latencyMs) : close()));
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const listening = typeof address === 'object' && address !== null ? address.port : 0;
  const tracked = trackResource('server', `throttle proxy :${listening}`, async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { endpoint: `http://127.0.0.1:${listening}`, close: () => tracked.close() };
}
