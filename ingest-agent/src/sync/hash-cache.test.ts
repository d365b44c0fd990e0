import { createHash } from 'node:crypto';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useTempDir } from '@exercise-pipeline/test/harness';
import { beforeEach, describe, expect, it } from 'vitest';
import { HASH_CACHE_FILE, HashCache } from './hash-cache.js';
import { hashFile } from './hash-file.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const temp = useTempDir('hash-cache', { each: true });
let dir: string;
beforeEach(async () => {
  dir = temp.path;
});

describe('hashFile', () => {
  it('streams a multi-chunk file to the same digest as hashing it in memory', async () => {
    const path = join(dir, 'big.bin');
    const content = 'x'.repeat(3 * (1 << 20) + 17);
    await writeFile(path, content);
    expect(await hashFile(path)).toBe(sha256(content));
  });
});

describe('HashCache', () => {
  it('hashes a file once and answers from the cache while size and mtime are unchanged', async () => {
    const file = join(dir, 'a.mp4');
    await writeFile(file, 'first');
    const cache = await HashCache.load(join(dir, 'data'));
    const info = await stat(file);
    expect(await cache.sha256(file, info)).toBe(sha256('first'));
    expect(await cache.sha256(file, info)).toBe(sha256('first'));
    expect(cache.stats).toEqual({ hits: 1, misses: 1 });
  });

  it('re-reads a file whose mtime or size changed', async () => {
    const file = join(dir, 'a.mp4');
    await writeFile(file, 'first');
    const cache = await HashCache.load(dir);
    await cache.sha256(file, await stat(file));
    await writeFile(file, 'other');
    await utimes(file, new Date(2_000_000_000_000), new Date(2_000_000_000_000));
    expect(await cache.sha256(file, await stat(file))).toBe(sha256('other'));
    await writeFile(file, 'longer content');
    await utimes(file, new Date(2_000_000_000_000), new Date(2_000_000_000_000));
    expect(await cache.sha256(file, await stat(file))).toBe(sha256('longer content'));
    expect(cache.stats.misses).toBe(3);
  });

  it('persists across loads and leaves no temp file behind', async () => {
    const file = join(dir, 'a.mp4');
    await writeFile(file, 'persisted');
    const dataDir = join(dir, 'nested', 'data');
    const first = await HashCache.load(dataDir);
    await first.sha256(file, await stat(file));
    first.rememberRemote('bucket', 'slug/a.mp4', { size: 9, etag: '"abc"', sha256: sha256('persisted') });
    await first.save();
    expect(await readdir(dataDir)).toEqual([HASH_CACHE_FILE]);

    const second = await HashCache.load(dataDir);
    expect(await second.sha256(file, await stat(file))).toBe(sha256('persisted'));
    expect(second.stats).toEqual({ hits: 1, misses: 0 });
    expect(second.remoteSha256('bucket', 'slug/a.mp4', 9, 'abc')).toBe(sha256('persisted'));
  });

  it('trusts a remembered remote hash only for the same size and ETag', async () => {
    const cache = await HashCache.load(dir);
    cache.rememberRemote('b', 'k', { size: 5, etag: '"e1"', sha256: sha256('x') });
    expect(cache.remoteSha256('b', 'k', 5, '"e1"')).toBe(sha256('x'));
    expect(cache.remoteSha256('b', 'k', 5, '"e2"')).toBeUndefined();
    expect(cache.remoteSha256('b', 'k', 6, '"e1"')).toBeUndefined();
    expect(cache.remoteSha256('other', 'k', 5, '"e1"')).toBeUndefined();
    cache.forgetRemote('b', 'k');
    expect(cache.remoteSha256('b', 'k', 5, '"e1"')).toBeUndefined();
  });

  it('starts empty from a corrupt file and says why', async () => {
    await writeFile(join(dir, HASH_CACHE_FILE), '{not json');
    const reasons: string[] = [];
    const cache = await HashCache.load(dir, { onDiscard: (reason) => reasons.push(reason) });
    const file = join(dir, 'a.mp4');
    await writeFile(file, 'x');
    await cache.sha256(file, await stat(file));
    await cache.save();
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain('is not JSON');
    expect(JSON.parse(await readFile(join(dir, HASH_CACHE_FILE), 'utf8')).version).toBe(1);
  });
});
