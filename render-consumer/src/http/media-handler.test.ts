import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  rawGet,
  type StartedServer,
  startConsumerServer,
  stopServersAfterEach,
} from '@exercise-pipeline/test/consumer';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../catalog/database.js';
import type { EnsureRender } from '../render/ensure-render.js';

let temp: TempDir;
const id = randomUUID();
const mp4Bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));

// The media routes never touch the catalog or the renderer.
const unusedDb: Queryable = { query: () => Promise.reject(new Error('no database in media tests')) };
const unusedRenderer: Pick<EnsureRender, 'ensure'> = {
  ensure: () => Promise.reject(new Error('no renders')),
};

beforeAll(async () => {
  temp = await createTempDir('media-http');
  const dir = path.join(temp.path, 'media', id);
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'playlist.m3u8'),
    '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nsegment-00000.ts\n#EXT-X-ENDLIST\n',
  );
  await writeFile(path.join(dir, 'segment-00000.ts'), Buffer.alloc(188, 0x47));
  await writeFile(path.join(dir, 'video.mp4'), mp4Bytes);
  // A file beside the media dir that no media URL may reach.
  await writeFile(path.join(temp.path, 'secret.txt'), 'catalog credentials');
});

afterAll(async () => {
  await temp.remove();
});

stopServersAfterEach();

function start(): Promise<StartedServer> {
  return startConsumerServer({ db: unusedDb, ensureRender: unusedRenderer, dataDir: temp.path });
}

describe('GET /media/:id/:file', () => {
  it('serves the playlist, segments and mp4 with their content types', async () => {
    const { url } = await start();
    const cases = [
      ['playlist.m3u8', 'application/vnd.apple.mpegurl'],
      ['segment-00000.ts', 'video/mp2t'],
      ['video.mp4', 'video/mp4'],
    ] as const;
    for (const [file, type] of cases) {
      const res = await fetch(`${url}/media/${id}/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toBe(type);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      await res.arrayBuffer();
    }
    const playlist = await fetch(`${url}/media/${id}/playlist.m3u8`);
    expect(await playlist.text()).toContain('segment-00000.ts');
  });

  it('answers byte ranges of the mp4 with 206, and 416 past the end', async () => {
    const { url } = await start();
    const part = await fetch(`${url}/media/${id}/video.mp4`, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(mp4Bytes.subarray(10, 20));

    const tail = await fetch(`${url}/media/${id}/video.mp4`, { headers: { range: 'bytes=-5' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(mp4Bytes.subarray(995));

    const beyond = await fetch(`${url}/media/${id}/video.mp4`, { headers: { range: 'bytes=5000-' } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */1000');
  });

  it('answers HEAD with the headers and no body', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/media/${id}/video.mp4`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('1000');
    expect(await res.text()).toBe('');
  });

  it('refuses paths that climb out of the media directory and ids that are not render ids', async () => {
    const { port } = await start();
    for (const raw of [
      `/media/${id}/../../secret.txt`,
      `/media/../secret.txt`,
      `/media/${id}/..%2F..%2Fsecret.txt`,
      `/media/%2e%2e/secret.txt`,
      '/media/not-a-uuid/playlist.m3u8',
      `/media/${id}/secret.txt`,
    ]) {
      const res = await rawGet(port, raw);
      expect([400, 404], raw).toContain(res.status);
      expect(res.body, raw).not.toContain('catalog credentials');
    }
    expect((await rawGet(port, `/media/${id}/../../secret.txt`)).status).toBe(400);
    expect((await rawGet(port, '/media/not-a-uuid/playlist.m3u8')).status).toBe(400);
  });

  it('answers 404 for a render id that has no media', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/media/${randomUUID()}/playlist.m3u8`);
    expect(res.status).toBe(404);
  });
});
