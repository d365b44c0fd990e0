import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Streams a file through sha256 (constant memory, any size); hex digest. */
export async function hashFile(
  path: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<string> {
  const hash = createHash('sha256');
  // 1 MiB reads: far fewer syscalls than the 64 KiB default on multi-hundred-MB videos.
  const stream = createReadStream(path, { highWaterMark: 1 << 20, signal: options.signal });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
