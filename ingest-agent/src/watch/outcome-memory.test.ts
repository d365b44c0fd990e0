import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutcomeMemory } from './outcome-memory.js';

let dir: TempDir;
beforeEach(async () => {
  dir = await createTempDir('outcomes');
});
afterEach(async () => {
  await dir.remove();
});

const refused = { status: 'refused' as const, signature: 'abc', at: '2025-01-01T00:00:00.000Z' };

describe('OutcomeMemory', () => {
  it('survives a restart: what one process remembers, the next one reads', async () => {
    const file = path.join(dir.path, 'watch', 'outcomes.json');
    const first = await OutcomeMemory.open(file);
    await first.set('/drop/001 Squat', refused);
    await first.set('/drop/002 Lunge', { ...refused, status: 'done', signature: 'def' });
    await first.delete('/drop/002 Lunge');
    const second = await OutcomeMemory.open(file);
    expect(second.get('/drop/001 Squat')).toEqual(refused);
    expect(second.get('/drop/002 Lunge')).toBeUndefined();
    expect(second.loadProblem).toBeUndefined();
  });

  it('starts empty, naming the file, when the file is damaged, and rewrites it on the next change', async () => {
    const file = path.join(dir.path, 'outcomes.json');
    await writeFile(file, '{"version": 1, "deliveries": ');
    const memory = await OutcomeMemory.open(file);
    expect(memory.loadProblem).toContain(file);
    expect(memory.get('/drop/001 Squat')).toBeUndefined();
    await memory.set('/drop/001 Squat', refused);
    expect(JSON.parse(await readFile(file, 'utf8')).deliveries['/drop/001 Squat']).toEqual(refused);
  });

  it('works without a file, in memory only', async () => {
    const memory = await OutcomeMemory.open(undefined);
    await memory.set('/drop/a', refused);
    expect(memory.get('/drop/a')).toEqual(refused);
  });
});
