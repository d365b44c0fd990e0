/**
 * What every benchmark of the repository (`ingest-agent/bench/`, `render-consumer/bench/`) reads
 * its flags and sums up its rounds with. Reached as `@exercise-pipeline/shared/bench`, apart from
 * what the programs import.
 */

/** A `--name` flag's text as a whole number of at least `min`; throws a message naming the flag. */
export function wholeNumberFlag(name: string, text: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
