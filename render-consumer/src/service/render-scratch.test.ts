import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimRenderScratch, renderScratchDir } from './render-scratch.js';

let temp: TempDir;

beforeAll(async () => {
  temp = await createTempDir('render-scratch');
});

afterAll(async () => {
  await temp.remove();
});

describe('claimRenderScratch', () => {
  it('empties the folder a dead consumer left, but not while another consumer uses it', async () => {
    const dataDir = path.join(temp.path, 'data');
    const scratch = renderScratchDir(dataDir);
    await mkdir(path.join(scratch, '.compose-x'), { recursive: true });
    await writeFile(path.join(scratch, '12-abc.mp4'), 'partial');
    await mkdir(path.join(dataDir, 'tmp', 'consumers'), { recursive: true });
    // A pid that cannot be alive: the maximum pid on Linux is below 2^22.
    await writeFile(path.join(dataDir, 'tmp', 'consumers', '4194999.pid'), '');

    const first = await claimRenderScratch(dataDir);
    expect(first.removed).toBe(2);
    expect(await readdir(scratch)).toEqual([]);

    await writeFile(path.join(scratch, '13-def.mp4'), 'rendering now');
    const second = await claimRenderScratch(dataDir);
    expect(second.removed).toBe(0);
    expect(second.sharedWith).toEqual([process.pid]);
    expect(await readdir(scratch)).toEqual(['13-def.mp4']);

    await first.release();
    await second.release();
    expect(await readdir(path.join(dataDir, 'tmp', 'consumers'))).toEqual([]);
  });
});
