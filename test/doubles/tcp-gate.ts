import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { trackResource } from '../harness/resources.js';

export interface TcpGate {
  port: number;
  /** Refuses new connections and cuts open ones, as an endpoint that went away. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP pass-through to moto that can be taken down and brought back on the same port. moto keeps
 * its state only in memory, so restarting moto itself would also lose the bucket; cutting the
 * network path is what an S3 outage looks like to the agent.
 */
export async function startTcpGate(targetPort: number): Promise<TcpGate> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const next = createServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('error', () => undefined);
          socket.on('close', () => {
            sockets.delete(socket);
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        server = next;
        resolve((next.address() as AddressInfo).port);
      });
    });
  const down = async () => {
    const current = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (current !== undefined) await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  const port = await listen(0);
  const tracked = trackResource('server', `tcp gate :${port} → moto`, down);
  return {
    port,
    down,
    up: async () => {
      await listen(port);
    },
    close: () => tracked.close(),
  };
}
