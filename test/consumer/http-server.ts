/** Starts consumer HTTP servers on ephemeral ports for tests and stops them after each test. */
import { request } from 'node:http';
import {
  type ConsumerHttpOptions,
  type ConsumerHttpServer,
  createConsumerHttpServer,
  createPipelineMetrics,
} from '@exercise-pipeline/render-consumer/http';
import { afterEach } from 'vitest';
import { trackResource } from '../harness/resources.js';

export interface StartedServer {
  server: ConsumerHttpServer;
  url: string;
  port: number;
}

const running: Array<() => Promise<void>> = [];

/** Registers the afterEach hook that stops every server a test started. */
export function stopServersAfterEach(): void {
  afterEach(async () => {
    await Promise.all(running.splice(0).map((stop) => stop()));
  });
}

export async function startConsumerServer(
  options: Omit<ConsumerHttpOptions, 'port' | 'host' | 'metrics'> &
    Partial<Pick<ConsumerHttpOptions, 'metrics'>>,
): Promise<StartedServer> {
  const server = createConsumerHttpServer({
    port: 0,
    host: '127.0.0.1',
    metrics: options.metrics ?? createPipelineMetrics({ db: options.db }),
    shutdownTimeoutMs: 2000,
    ...options,
  });
  const { port, url } = await server.start();
  const tracked = trackResource('server', `consumer http ${url}`, () => server.stop());
  running.push(() => tracked.close());
  return { server, url, port };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A GET sent with the path exactly as written: fetch() would normalise `..` away before it left
 * the client, which is not what an attacker's client does.
 */
export function rawGet(
  port: number,
  rawPath: string,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
