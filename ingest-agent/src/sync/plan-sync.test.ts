import { describe, expect, it } from 'vitest';
import { type LocalObject, planSync, type RemoteObject } from './plan-sync.js';

const hashA = 'a'.repeat(64);
const hashB = 'b'.repeat(64);

function local(key: string, size: number, sha256 = hashA): LocalObject {
  return { key, size, sha256 };
}

function remote(key: string, size: number, sha256?: string): RemoteObject {
  return sha256 === undefined ? { key, size } : { key, size, sha256 };
}

const keys = (objects: readonly { key: string }[]) => objects.map((object) => object.key);

describe('planSync', () => {
  it('uploads everything to an empty prefix, media largest first and the manifest last', () => {
    const plan = planSync(
      [
        local('manifest.json', 300),
        local('audio/ro/intro-vo-1.mp3', 10),
        local('intro-video-1.mp4', 500),
        local('rep-left-video-1.mp4', 900),
      ],
      [],
    );
    expect(keys(plan.upload)).toEqual([
      'rep-left-video-1.mp4',
      'intro-video-1.mp4',
      'audio/ro/intro-vo-1.mp3',
      'manifest.json',
    ]);
    expect(plan.skip).toEqual([]);
    expect(plan.delete).toEqual([]);
  });

  it('keeps the manifest last even when it is the largest file', () => {
    const plan = planSync([local('manifest.json', 10_000), local('intro-video-1.mp4', 1)], []);
    expect(keys(plan.upload)).toEqual(['intro-video-1.mp4', 'manifest.json']);
  });

  it('skips objects whose size and stored hash both match', () => {
    const plan = planSync(
      [local('manifest.json', 5), local('intro-video-1.mp4', 100)],
      [remote('manifest.json', 5, hashA), remote('intro-video-1.mp4', 100, hashA)],
    );
    expect(plan.upload).toEqual([]);
    expect(keys(plan.skip)).toEqual(['intro-video-1.mp4', 'manifest.json']);
  });

  it('uploads when the size differs, the hash differs, or the remote has no stored hash', () => {
    const plan = planSync(
      [local('intro-video-1.mp4', 100), local('outro-video-1.mp4', 100), local('pauza-video-1.mp4', 100)],
      [
        remote('intro-video-1.mp4', 101, hashA),
        remote('outro-video-1.mp4', 100, hashB),
        remote('pauza-video-1.mp4', 100),
      ],
    );
    expect(keys(plan.upload)).toEqual(['intro-video-1.mp4', 'outro-video-1.mp4', 'pauza-video-1.mp4']);
    expect(plan.skip).toEqual([]);
  });

  it('never deletes without prune', () => {
    const plan = planSync(
      [local('manifest.json', 5)],
      [remote('manifest.json', 5, hashA), remote('old.mp4', 1)],
    );
    expect(plan.delete).toEqual([]);
  });

  it('with prune deletes remote objects missing locally, a remote manifest first', () => {
    const plan = planSync(
      [local('intro-video-1.mp4', 100)],
      [remote('intro-video-1.mp4', 100, hashA), remote('b-extra.txt', 1), remote('manifest.json', 2, hashA)],
      { prune: true },
    );
    expect(keys(plan.delete)).toEqual(['manifest.json', 'b-extra.txt']);
    expect(keys(plan.skip)).toEqual(['intro-video-1.mp4']);
  });

  it('uploads an unhashed file that has no same-size remote object, and demands the hash otherwise', () => {
    const plan = planSync([{ key: 'intro-video-1.mp4', size: 7 }], [remote('intro-video-1.mp4', 8, hashA)]);
    expect(keys(plan.upload)).toEqual(['intro-video-1.mp4']);
    expect(() => planSync([{ key: 'intro-video-1.mp4', size: 8 }], [remote('intro-video-1.mp4', 8)])).toThrow(
      /"intro-video-1.mp4" has a same-size remote object/,
    );
  });

  it('refuses a key listed twice, naming it', () => {
    expect(() => planSync([local('manifest.json', 1), local('manifest.json', 2)], [])).toThrow(
      /local key "manifest.json" is listed twice/,
    );
  });
});
