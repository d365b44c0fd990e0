import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ManifestInvalidError } from '@exercise-pipeline/shared';
import { useTempDir } from '@exercise-pipeline/test/harness';
import { beforeEach, describe, expect, it } from 'vitest';
import { readBundle } from './bundle-source.js';
import { BundleFileError } from './errors.js';
import { LocalBundleSource } from './local-bundle-source.js';

const temp = useTempDir('local-bundle', { each: true });
let dir: string;

beforeEach(async () => {
  dir = temp.path;
  await mkdir(path.join(dir, 'audio', 'ro'), { recursive: true });
  await writeFile(
    path.join(dir, 'manifest.json'),
    JSON.stringify({ exercise: 'squat-wall', languages: ['ro'] }),
  );
  await writeFile(path.join(dir, 'intro-video-1.mp4'), 'v1');
  await writeFile(path.join(dir, 'intro-video-3.mp4'), 'v3');
  await writeFile(path.join(dir, 'audio', 'ro', 'intro-vo-1.mp3'), 'a1');
  await writeFile(path.join(dir, '.DS_Store'), 'junk');
  await writeFile(path.join(dir, 'notes.txt'), 'junk');
});

describe('LocalBundleSource', () => {
  it('lists files with keys relative to the bundle root, hidden files left out', async () => {
    const objects = await new LocalBundleSource(dir).list();
    expect(objects.map((o) => [o.key, o.size])).toEqual([
      ['audio/ro/intro-vo-1.mp3', 2],
      ['intro-video-1.mp4', 2],
      ['intro-video-3.mp4', 2],
      ['manifest.json', 44],
      ['notes.txt', 4],
    ]);
  });

  it('gives a file a new tag when it is replaced', async () => {
    const source = new LocalBundleSource(dir);
    const tagOf = async () => (await source.list()).find((o) => o.key === 'intro-video-1.mp4')!.etag;
    const before = await tagOf();
    await writeFile(path.join(dir, 'intro-video-1.mp4'), 'v1');
    await utimes(path.join(dir, 'intro-video-1.mp4'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(await tagOf()).not.toBe(before);
  });

  it('reads the bundle: manifest, variant pools and tags', async () => {
    const bundle = await readBundle(new LocalBundleSource(dir));
    expect(bundle.manifest.exercise).toBe('squat-wall');
    expect(bundle.variants.video.intro).toEqual([1, 3]);
    expect(bundle.variants.voiceOver.ro?.intro).toEqual([1]);
    expect(bundle.etags.get('intro-video-3.mp4')).toMatch(/^local-/);
  });

  it('names the manifest file when it is missing or invalid', async () => {
    const source = new LocalBundleSource(dir);
    await writeFile(path.join(dir, 'manifest.json'), '{"exercise": "Bad Slug"}');
    await expect(readBundle(source)).rejects.toThrow(ManifestInvalidError);
    await expect(readBundle(source)).rejects.toThrow(path.join(dir, 'manifest.json'));
    await rm(path.join(dir, 'manifest.json'));
    await expect(source.readManifest()).rejects.toThrow(/manifest\.json is invalid: \(root\): is missing/);
  });

  it('names the path of a missing file', async () => {
    const error = await new LocalBundleSource(dir).localPath('rep-left-video-2.mp4').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleFileError);
    expect((error as BundleFileError).file).toBe(path.join(dir, 'rep-left-video-2.mp4'));
    expect((error as Error).message).toContain('is missing');
  });

  it.each(['../secret.mp4', '/etc/passwd', 'audio/../../x', 'a//b', 'a\\b'])('refuses the key %j', (key) => {
    expect(() => new LocalBundleSource(dir).describe(key)).toThrow(/is not a key inside the bundle/);
  });

  it('resolves a key to a readable absolute path', async () => {
    const file = await new LocalBundleSource(path.relative(process.cwd(), dir)).localPath(
      'audio/ro/intro-vo-1.mp3',
    );
    expect(file).toBe(path.join(dir, 'audio', 'ro', 'intro-vo-1.mp3'));
  });
});
