import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempDir, type TempDir } from '../../../test/harness/temp-dir.js';
import { deliveryIdOf, deliverySignature, Journal, type JournalEntry } from '../journal/journal.js';
import { agentConfigSchema } from '../rules/agent-config.js';
import { contentIdentity, priorVerdict } from './prior-verdict.js';
import { scanDelivery } from './scan-delivery.js';

const config = agentConfigSchema.parse({});
let temp: TempDir;
let folder: string;
let dataDir: string;

beforeEach(async () => {
  temp = await createTempDir('prior-verdict');
  folder = join(temp.path, 'drop', '001 Squat');
  dataDir = join(temp.path, 'data');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'Squat - Intro.mp4'), 'frames');
  await writeFile(join(folder, '.DS_Store'), 'finder');
});
afterEach(async () => {
  await temp.remove();
});

async function journal(state: JournalEntry['state'], signature?: string): Promise<void> {
  const scan = await scanDelivery(folder);
  await new Journal(dataDir).put({
    version: 1,
    deliveryId: deliveryIdOf(folder),
    folder,
    signature: signature ?? contentIdentity(scan, config).signature,
    state,
    exercise: 'squat',
  });
}

describe('priorVerdict', () => {
  it('knows nothing of a folder never judged, or whose report is unfinished', async () => {
    expect(await priorVerdict({ folder, config, dataDir })).toBeUndefined();
    await journal('reporting');
    expect(await priorVerdict({ folder, config, dataDir })).toBeUndefined();
    await journal('uploading');
    expect(await priorVerdict({ folder, config, dataDir })).toBeUndefined();
  });

  it('gives the final verdict on the same content, whatever happens to junk', async () => {
    await journal('refused');
    expect(await priorVerdict({ folder, config, dataDir })).toBe('refused');
    await writeFile(join(folder, '.DS_Store'), 'finder opened the folder again');
    await writeFile(join(folder, 'Thumbs.db'), 'thumbnails');
    expect(await priorVerdict({ folder, config, dataDir })).toBe('refused');
    await journal('done');
    expect(await priorVerdict({ folder, config, dataDir })).toBe('done');
  });

  it('knows nothing once a delivered file or the config changed', async () => {
    await journal('refused');
    const other = agentConfigSchema.parse({ normalize: true });
    expect(await priorVerdict({ folder, config: other, dataDir })).toBeUndefined();
    await writeFile(join(folder, 'Squat - Outro.mp4'), 'more frames');
    expect(await priorVerdict({ folder, config, dataDir })).toBeUndefined();
  });

  it('recognises an entry signed with junk included, as journals written before junk was left out are', async () => {
    const scan = await scanDelivery(folder);
    expect(scan.files.map((file) => file.relativePath)).toEqual(['.DS_Store', 'Squat - Intro.mp4']);
    await journal('refused', deliverySignature(scan.files, config));
    expect(await priorVerdict({ folder, config, dataDir })).toBe('refused');
    await writeFile(join(folder, '.DS_Store'), 'changed');
    expect(await priorVerdict({ folder, config, dataDir })).toBeUndefined();
  });
});
