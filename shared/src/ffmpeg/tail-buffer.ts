/**
 * Keeps only the last lines of a stream (ffmpeg's stderr can run to megabytes on a long render),
 * bounded both in line count and in the length of any one line.
 */
export class TailBuffer {
  readonly #maxLines: number;
  readonly #maxLineLength: number;
  readonly #lines: string[] = [];
  #partial = '';

  /**
   * @param maxLines lines kept; default 200
   * @param maxLineLength characters kept per line (the start of the line); default 2000
   */
  constructor(maxLines = 200, maxLineLength = 2000) {
    this.#maxLines = maxLines;
    this.#maxLineLength = maxLineLength;
  }

  push(chunk: string): void {
    const pieces = (this.#partial + chunk).split(/\r\n|\r|\n/);
    // One extra character is enough to know the line was longer than the limit.
    this.#partial = (pieces.pop() ?? '').slice(0, this.#maxLineLength + 1);
    for (const piece of pieces) this.#lines.push(this.#cut(piece));
    if (this.#lines.length > this.#maxLines) this.#lines.splice(0, this.#lines.length - this.#maxLines);
  }

  /** The last `count` non-empty lines (including an unterminated last line), joined with newlines. */
  lastLines(count = this.#maxLines): string {
    const lines = this.#partial === '' ? this.#lines : [...this.#lines, this.#cut(this.#partial)];
    return lines
      .filter((line) => line.trim() !== '')
      .slice(-count)
      .join('\n');
  }

  #cut(line: string): string {
    return line.length > this.#maxLineLength ? `${line.slice(0, this.#maxLineLength)}…` : line;
  }
}
