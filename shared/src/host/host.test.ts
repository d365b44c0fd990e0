import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, pathExists } from './index.js';

describe('pathExists', () => {
  it('tells a file that is there from one that is not', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'path-exists-'));
    try {
      const file = path.join(dir, 'here.txt');
      await writeFile(file, 'x');
      expect(await pathExists(file)).toBe(true);
      expect(await pathExists(dir)).toBe(true);
      expect(await pathExists(path.join(dir, 'gone.txt'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('isProcessAlive', () => {
  it('is true for this process and false for a pid no process has', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    // Linux pids stop well below 2^22.
    expect(isProcessAlive(2 ** 22 + 1)).toBe(false);
  });
});
