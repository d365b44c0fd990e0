import type { ProbeResult } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { type ClipFacts, ProbeCache, probeCacheKey } from './probe-cache.js';

function factsOf(seconds: number): ClipFacts {
  const media: ProbeResult = { formatName: 'mp3', durationSeconds: seconds, sizeBytes: 1 };
  return { media };
}

/** A loader that answers with the path's length as duration and records what it loaded. */
function recordingLoader() {
  const loaded: string[] = [];
  return {
    loaded,
    load: (path: string) => async () => {
      loaded.push(path);
      return factsOf(path.length);
    },
  };
}

describe('ProbeCache', () => {
  it('loads one file version once, also for concurrent requests', async () => {
    const fake = recordingLoader();
    const cache = new ProbeCache();
    const key = probeCacheKey('squat/intro-video-1.mp4', '"abc"');
    const results = await Promise.all([
      cache.probe(key, fake.load('/cache/a')),
      cache.probe(key, fake.load('/cache/a')),
    ]);
    await cache.probe(key, fake.load('/cache/a'));
    expect(results.map((r) => r.media.durationSeconds)).toEqual([8, 8]);
    expect(fake.loaded).toEqual(['/cache/a']);
  });

  it('loads again when the tag changes or there is none', async () => {
    const fake = recordingLoader();
    const cache = new ProbeCache();
    await cache.probe(probeCacheKey('k', '"v1"'), fake.load('/a'));
    await cache.probe(probeCacheKey('k', '"v2"'), fake.load('/a'));
    await cache.probe(probeCacheKey('k', ''), fake.load('/a'));
    await cache.probe(undefined, fake.load('/a'));
    expect(fake.loaded).toHaveLength(4);
  });

  it('does not keep failures', async () => {
    const cache = new ProbeCache();
    await expect(
      cache.probe('k', async () => {
        throw new Error('still downloading');
      }),
    ).rejects.toThrow('still downloading');
    await expect(cache.probe('k', async () => factsOf(1))).resolves.toEqual(factsOf(1));
    expect(cache.size).toBe(1);
  });

  it('drops the least recently used entry past maxEntries', async () => {
    const fake = recordingLoader();
    const cache = new ProbeCache({ maxEntries: 2 });
    for (const key of ['a', 'b', 'a', 'c', 'a', 'b']) await cache.probe(key, fake.load(`/${key}`));
    expect(fake.loaded).toEqual(['/a', '/b', '/c', '/b']);
  });
});
