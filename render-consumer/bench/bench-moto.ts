/**
 * moto_server for the benchmark: started on a free loopback port, stopped at the end. (The test
 * harness has its own, tied to vitest's hooks.)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface BenchMoto {
  endpoint: string;
  /** The moto_server process, for CPU accounting. */
  pid: number | undefined;
  stop(): Promise<void>;
}

export function freePortNumber(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startMoto(): Promise<BenchMoto> {
  const port = await freePortNumber();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error('moto_server exited at start; is moto installed (moto_server on PATH)?');
    try {
      if ((await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server at ${endpoint} did not answer within 15 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { endpoint, pid: child.pid, stop };
}
