import type { Manifest } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { ManifestMemo } from './manifest-memo.js';

const manifest = (exercise: string): Manifest =>
  ({
    exercise,
    reps_per_video_block: 5,
    counts_per_audio_master: 20,
    sides: ['left', 'right'],
    languages: ['ro', 'en'],
  }) as Manifest;

describe('ManifestMemo', () => {
  it('returns a manifest only for the exercise and ETag it was stored under', () => {
    const memo = new ManifestMemo();
    memo.set('squat', 'etag-1', manifest('squat'));
    expect(memo.get('squat', 'etag-1')?.exercise).toBe('squat');
    expect(memo.get('squat', 'etag-2')).toBeUndefined();
    expect(memo.get('lunge', 'etag-1')).toBeUndefined();
  });

  it('keeps nothing under an empty ETag', () => {
    const memo = new ManifestMemo();
    memo.set('squat', '', manifest('squat'));
    expect(memo.size).toBe(0);
  });

  it('drops the least recently used entry past its bound', () => {
    const memo = new ManifestMemo(2);
    memo.set('a', '1', manifest('a'));
    memo.set('b', '1', manifest('b'));
    expect(memo.get('a', '1')).toBeDefined();
    memo.set('c', '1', manifest('c'));
    expect(memo.get('b', '1')).toBeUndefined();
    expect(memo.get('a', '1')?.exercise).toBe('a');
    expect(memo.get('c', '1')?.exercise).toBe('c');
    expect(memo.size).toBe(2);
  });
});
