import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { BunnyStreamDouble } from '@exercise-pipeline/test/doubles';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BunnyClient } from './bunny-client.js';

// An upload must stream the render from disk. The double accepts the upload but reads none of its
// body until released, so a streaming client stalls after filling the connection's buffers (a few
// MB); a client that loads the file first has read all of it. Bytes this process read from any
// file or socket come from Linux's /proc/self/io (`rchar`). Heap or arrayBuffers deltas were not
// used: ArrayBuffer memory is freed lazily, so they show tens of MB even for a streaming upload.

const FILE_BYTES = 50 * 1024 * 1024;
const MAX_READ_WHILE_STALLED = 16 * 1024 * 1024;

let dir: TempDir;
let file: string;
let fileSha256: string;

beforeAll(async () => {
  dir = await createTempDir('bunny-memory');
  file = join(dir.path, 'big.mp4');
  const hash = createHash('sha256');
  const handle = await open(file, 'w');
  const block = Buffer.alloc(1024 * 1024);
  for (let index = 0; index < FILE_BYTES / block.length; index++) {
    block.fill(index % 251);
    block.writeUInt32BE(index, 0);
    hash.update(block);
    await handle.write(block);
  }
  await handle.close();
  fileSha256 = hash.digest('hex');
});

afterAll(async () => {
  await dir.remove();
});

function bytesReadByProcess(): number {
  const match = /^rchar:\s*(\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
  if (!match) throw new Error('/proc/self/io has no rchar line; this test needs Linux procfs');
  return Number(match[1]);
}

it('streams a 50 MB upload instead of reading the file into memory first', async () => {
  const bunny = await new BunnyStreamDouble({ storage: 'none' }).start();
  try {
    const client = new BunnyClient({ apiUrl: bunny.url, libraryId: bunny.libraryId, apiKey: bunny.apiKey });
    const video = await client.createVideo({ title: 'big' });
    const hold = bunny.holdNextUpload();
    const before = bytesReadByProcess();
    const uploading = client.uploadVideo(video.guid, file);
    expect(await hold.arrived).toBe(video.guid);
    // Give a buffering client ample time to read everything.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const readWhileStalled = bytesReadByProcess() - before;
    hold.release();
    await uploading;
    const upload = bunny.upload(video.guid);
    expect(upload?.sha256).toBe(fileSha256);
    expect(upload?.bytes).toBe(FILE_BYTES);
    expect(bytesReadByProcess() - before).toBeGreaterThan(FILE_BYTES);
    expect(readWhileStalled).toBeLessThan(MAX_READ_WHILE_STALLED);
  } finally {
    await bunny.stop();
  }
});
