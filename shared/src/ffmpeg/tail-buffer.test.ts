import { describe, expect, it } from 'vitest';
import { TailBuffer } from './tail-buffer.js';

describe('TailBuffer', () => {
  it('keeps only the last lines, each cut to the maximum length', () => {
    const tail = new TailBuffer(3, 5);
    tail.push('one\ntwo\nthree\nfo');
    tail.push('ur\nabcdefghij\npart');
    expect(tail.lastLines()).toBe('four\nabcde…\npart');
    tail.push('ial line');
    expect(tail.lastLines(1)).toBe('parti…');
    tail.push('\nend');
    expect(tail.lastLines()).toBe('abcde…\nparti…\nend');
  });
});
