import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryIdOf, deliverySignature, Journal } from './journal.js';

let temp: TempDir;
beforeAll(async () => {
  temp = await createTempDir('journal');
});
afterAll(async () => {
  await temp.remove();
});

describe('Journal', () => {
  it('keeps an entry across instances and treats a damaged file as absent', async () => {
    const id = deliveryIdOf('/drop/001 Squat');
    const entry = {
      version: 1 as const,
      deliveryId: id,
      folder: '/drop/001 Squat',
      signature: 'abc',
      state: 'uploading' as const,
      exercise: 'squat',
    };
    await new Journal(temp.path).put(entry);
    expect(await new Journal(temp.path).get(id)).toEqual(entry);
    await writeFile(join(temp.path, 'ingest-journal', `${id}.json`), '{"version":1,');
    expect(await new Journal(temp.path).get(id)).toBeNull();
  });

  it('lists every readable entry with when it was written, skipping damaged and temp files', async () => {
    const dir = join(temp.path, 'listing');
    expect(await new Journal(dir).entries()).toEqual([]);
    const journal = new Journal(dir);
    const entry = {
      version: 1 as const,
      deliveryId: deliveryIdOf('/drop/002 Lunge'),
      folder: '/drop/002 Lunge',
      signature: 'def',
      state: 'done' as const,
      exercise: 'lunge',
    };
    await journal.put(entry);
    await writeFile(join(journal.dir, `${deliveryIdOf('/drop/003 Plank')}.json`), 'not json');
    await writeFile(join(journal.dir, `${entry.deliveryId}.json.1a2b3c4d.tmp`), '{}');
    const listed = await journal.entries();
    expect(listed.map((item) => item.entry)).toEqual([entry]);
    expect(listed[0]?.writtenAt).toBeInstanceOf(Date);
  });

  it('changes the signature when a file or the config changes', () => {
    const files = [{ relativePath: 'a.mp4', size: 1, mtimeMs: 5 }];
    const base = deliverySignature(files, { normalize: false });
    expect(deliverySignature([{ ...files[0]!, mtimeMs: 6 }], { normalize: false })).not.toBe(base);
    expect(deliverySignature(files, { normalize: true })).not.toBe(base);
    expect(deliverySignature(files, { normalize: false })).toBe(base);
  });
});
