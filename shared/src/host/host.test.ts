import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { useTempDir } from '@exercise-pipeline/test/harness';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, pathExists } from './index.js';

const temp = useTempDir('path-exists');

describe('pathExists', () => {
  it('tells a file that is there from one that is not', async () => {
    const file = path.join(temp.path, 'here.txt');
    await writeFile(file, 'x');
    expect(await pathExists(file)).toBe(true);
    expect(await pathExists(temp.path)).toBe(true);
    expect(await pathExists(path.join(temp.path, 'gone.txt'))).toBe(false);
  });
});

describe('isProcessAlive', () => {
  it('is true for this process and false for a pid no process has', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    // Linux pids stop well below 2^22.
    expect(isProcessAlive(2 ** 22 + 1)).toBe(false);
  });
});
