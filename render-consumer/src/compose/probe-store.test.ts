import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fullHdProbe } from '@exercise-pipeline/test/fixtures';
import { useTempDir } from '@exercise-pipeline/test/harness';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClipFacts, ProbeCache, probeCacheKey } from './probe-cache.js';
import { directoryProbeStore } from './probe-store.js';

const temp = useTempDir('probe-store');
let dir: string;
beforeAll(async () => {
  dir = temp.path;
});
function factsOf(seconds: number): ClipFacts {
  return { media: fullHdProbe(seconds, 10, { profile: 'High', level: 40, extradataHash: 'SHA256:ab' }) };
}

describe('directoryProbeStore', () => {
  it('lets a later process (a new cache on the same directory) skip the probe', async () => {
    const storeDir = path.join(dir, 'shared');
    const loads: string[] = [];
    const load = (seconds: number) => async () => {
      loads.push(`load ${seconds}`);
      return factsOf(seconds);
    };
    const first = new ProbeCache({ store: directoryProbeStore(storeDir) });
    expect(await first.probe('local-1-2 /b/intro-video-1.mp4', load(8))).toEqual(factsOf(8));
    const second = new ProbeCache({ store: directoryProbeStore(storeDir) });
    expect(await second.probe('local-1-2 /b/intro-video-1.mp4', load(9))).toEqual(factsOf(8));
    // A new content tag is a new entry.
    expect(await second.probe('local-1-3 /b/intro-video-1.mp4', load(7))).toEqual(factsOf(7));
    expect(loads).toEqual(['load 8', 'load 7']);
  });

  it('reads damaged, foreign or older-format entries as a miss', async () => {
    const storeDir = path.join(dir, 'damaged');
    const store = directoryProbeStore(storeDir);
    await store.write('k', factsOf(3));
    const [name] = await readdir(storeDir);
    const file = path.join(storeDir, name!);
    for (const text of [
      '{"version":1,"key":"k","fac',
      JSON.stringify({ version: 1, key: 'other key', facts: factsOf(3) }),
      JSON.stringify({ version: 0, key: 'k', facts: factsOf(3) }),
      JSON.stringify({ version: 1, key: 'k', facts: { media: {} } }),
    ]) {
      await writeFile(file, text);
      expect(await store.read('k'), text).toBeUndefined();
    }
    expect(await store.read('never written')).toBeUndefined();
  });

  it("keeps a voice-over's loudness, and never takes an entry without it for one with it", async () => {
    const store = directoryProbeStore(path.join(dir, 'loudness'));
    const key = probeCacheKey('/b/audio/ro/intro-vo-1.mp3', 'local-1-2', true)!;
    const measured: ClipFacts = { ...factsOf(2), loudness: { integratedLufs: -23.4, truePeakDbtp: -3.2 } };
    await store.write(key, measured);
    expect(await store.read(key)).toEqual(measured);
    for (const loudness of [undefined, { integratedLufs: null, truePeakDbtp: -3 }, { integratedLufs: -20 }]) {
      await store.write(key, { ...factsOf(2), loudness } as ClipFacts);
      expect(await store.read(key), JSON.stringify(loudness)).toBeUndefined();
    }
    // The plain probe of the same file is another entry, which needs no loudness.
    const plain = probeCacheKey('/b/audio/ro/intro-vo-1.mp3', 'local-1-2')!;
    expect(plain).not.toBe(key);
    await store.write(plain, factsOf(2));
    expect(await store.read(plain)).toEqual(factsOf(2));
  });

  it('never fails a render when the directory cannot be written', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const cache = new ProbeCache({ store: directoryProbeStore(path.join(blocker, 'probe-cache')) });
    await expect(cache.probe('k', async () => factsOf(2))).resolves.toEqual(factsOf(2));
  });
});
