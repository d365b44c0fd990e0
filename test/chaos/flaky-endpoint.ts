/**
 * A TCP proxy in front of moto that can play an endpoint restart: every open connection is cut and
 * new ones are refused for a while, then it listens again on the same port. (moto keeps its state in
 * memory, so restarting moto itself would empty the bucket and the queues, which real S3 and SQS
 * never do; what the programs see of a restart — cut connections, refused ones — is the same.)
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface FlakyEndpoint {
  endpoint: string;
  /** Cuts every connection and refuses new ones for `ms`. */
  outage(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFlakyEndpoint(target: string): Promise<FlakyEndpoint> {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  const newServer = (): Server =>
    createServer((client) => {
      const upstream = connect(Number(targetPort), hostname);
      sockets.add(client);
      sockets.add(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      for (const socket of [client, upstream]) {
        socket.on('close', close);
        socket.on('error', close);
      }
    });
  let server = newServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const closeServer = (current: Server) =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      current.close(() => resolve());
    });
  let closed = false;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async outage(ms) {
      await closeServer(server);
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (closed) return;
      server = newServer();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      closed = true;
      if (server.listening) await closeServer(server);
      else for (const socket of sockets) socket.destroy();
    },
  };
}
