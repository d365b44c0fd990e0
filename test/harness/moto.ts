import { afterAll, beforeAll } from 'vitest';
import { applyEnv } from './env.js';
import { type MotoServer, startMotoServer, TEST_AWS_ENV } from './moto-server.js';

export { freePort, type MotoServer, startMotoServer, TEST_AWS_ENV } from './moto-server.js';

export interface MotoHandle {
  readonly endpoint: string;
  /** Environment for child processes (CLIs) that should talk to this server. */
  readonly env: Record<string, string>;
}

/**
 * Starts a server for the calling test file (beforeAll), points AWS_ENDPOINT_URL and the dummy
 * credentials of this worker at it, and stops it and restores the environment afterwards (afterAll).
 */
export function useMotoServer(label = 'moto'): MotoHandle {
  let server: MotoServer | undefined;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    server = await startMotoServer(label);
    restoreEnv = applyEnv({ ...TEST_AWS_ENV, AWS_ENDPOINT_URL: server.endpoint });
  });
  afterAll(async () => {
    restoreEnv?.();
    await server?.stop();
  });
  const started = (): MotoServer => {
    if (server === undefined)
      throw new Error('useMotoServer(): the server starts in beforeAll; use it inside tests or hooks');
    return server;
  };
  return {
    get endpoint() {
      return started().endpoint;
    },
    get env() {
      const base: Record<string, string> = {};
      for (const [key, value] of Object.entries(TEST_AWS_ENV)) if (value !== '') base[key] = value;
      return { ...base, AWS_ENDPOINT_URL: started().endpoint };
    },
  };
}
