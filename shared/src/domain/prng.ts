import { createHash } from 'node:crypto';

/**
 * A deterministic generator of numbers in [0, 1). The seed is hashed with sha256 so that nearby
 * seeds ("recipe:1", "recipe:2") start from unrelated states; numbers and their decimal strings
 * are the same seed. The generator is sfc32 (Chris Doty-Humphrey's small fast counting PRNG):
 * 128 bits of state, good statistical quality, and it only needs 32-bit integer arithmetic.
 */
export function createPrng(seed: string | number): () => number {
  const digest = createHash('sha256').update(String(seed), 'utf8').digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first outputs still correlate with the raw state; discard 12 as the reference seeding does.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/**
 * Picks `count` variants from `pool` for consecutive blocks. With two or more distinct variants no
 * pick equals the one before it (the first pick also avoids `previous`, the variant that played
 * just before); with a single variant it repeats. The result depends only on the pool's contents
 * (not its order), `count`, `previous` and the generator's state.
 */
export function chooseVariants(
  pool: readonly number[],
  count: number,
  rng: () => number,
  previous?: number,
): number[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`chooseVariants: count must be a whole number >= 0, got ${count}`);
  }
  const distinct = [...new Set(pool)].sort((x, y) => x - y);
  if (count > 0 && distinct.length === 0) {
    throw new RangeError('chooseVariants: the pool is empty; validate the recipe against the bundle first');
  }
  const picks: number[] = [];
  let last = previous;
  for (let i = 0; i < count; i++) {
    const candidates =
      distinct.length >= 2 && last !== undefined ? distinct.filter((v) => v !== last) : distinct;
    const index = Math.min(Math.floor(rng() * candidates.length), candidates.length - 1);
    const pick = candidates[index]!;
    picks.push(pick);
    last = pick;
  }
  return picks;
}
