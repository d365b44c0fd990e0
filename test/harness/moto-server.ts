import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { trackResource } from './resources.js';

/**
 * Starting and stopping moto_server, without vitest: the test harness, the benchmarks and the demo
 * share it. One moto_server per test file, on its own loopback port. Why per file and not per worker: moto
 * delivers S3 object events to the rules of *every* bus in the account, and every file's rule on the
 * `default` bus would also receive the other files' "Bundle Synced" events — a shared server lets
 * test files see each other's traffic. A server starts in well under a second, so isolation is cheap.
 */

export interface MotoServer {
  endpoint: string;
  port: number;
  /** The moto_server process id. */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Dummy credentials and region every test uses; moto accepts any key. */
export const TEST_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'eu-central-1',
  // Never let the SDK fall back to a developer's real profile or an instance role.
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_PROFILE: '',
} as const;

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 3_000;
const STDERR_TAIL_BYTES = 4_096;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(
  endpoint: string,
  child: ChildProcess,
  stderrTail: () => string,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited with code ${child.exitCode} before it was ready: ${stderrTail()}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `moto_server at ${endpoint} was not ready within ${READY_TIMEOUT_MS} ms; is moto installed (pip install 'moto[server]')? ${stderrTail()}`,
  );
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts moto_server on a free loopback port (or on `port`, e.g. to bring a stopped one back on the
 * address its clients know), waits until it answers, and tracks it as a `server`.
 */
export async function startMotoServer(label = 'moto', port?: number): Promise<MotoServer> {
  port ??= await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });
  const spawnError = new Promise<never>((_resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`cannot start moto_server (is it on PATH?): ${error.message}`, { cause: error })),
    );
  });
  // A worker that dies mid-test must not leave the Python process behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await stopChild(child);
  };
  try {
    await Promise.race([waitUntilReady(endpoint, child, () => tail.trim()), spawnError]);
  } catch (error) {
    await stop();
    throw error;
  }
  const tracked = trackResource('server', `${label} ${endpoint}`, stop);
  return { endpoint, port, pid: child.pid, stop: () => tracked.close() };
}
