import { afterAll, beforeAll } from 'vitest';
import { TEST_AWS_ENV } from './moto-server.js';

/**
 * Sets these variables in this worker's environment (an empty value unsets one) and returns the
 * function that puts back what was there before.
 */
export function applyEnv(values: Readonly<Record<string, string>>): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(values)) {
    saved.set(key, process.env[key]);
    if (value === '') delete process.env[key];
    else process.env[key] = value;
  }
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/**
 * The dummy credentials and region (TEST_AWS_ENV) for the calling test file, from beforeAll to
 * afterAll: an SDK client the file makes never looks for real credentials or an instance role.
 */
export function useTestAwsEnv(): void {
  let restore: (() => void) | undefined;
  beforeAll(() => {
    restore = applyEnv(TEST_AWS_ENV);
  });
  afterAll(() => {
    restore?.();
  });
}
