import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { probeMedia, runFfmpeg } from '@exercise-pipeline/shared';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHlsPlaylist } from './hls-playlist.js';
import { LocalPublisher } from './local-publisher.js';
import type { PublishInput } from './publisher.js';

let dir: TempDir;
let mp4: string;
let inputSeconds: number;

beforeAll(async () => {
  dir = await createTempDir('local-publisher');
  mp4 = join(dir.path, 'render.mp4');
  // Keyframe every second, so stream-copied segments can be cut close to the 4 s target.
  await runFfmpeg(
    [
      ...['-f', 'lavfi', '-i', 'testsrc=duration=9:size=160x120:rate=25'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=9'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '25'],
      ...['-c:a', 'aac', '-shortest', mp4],
    ],
    { timeoutMs: 30_000 },
  );
  inputSeconds = (await probeMedia(mp4)).durationSeconds;
});

afterAll(async () => {
  await dir.remove();
});

function input(filePath = mp4): PublishInput {
  return {
    filePath,
    exercise: 'lumbar-release',
    language: 'ro',
    recipeHash: 'b'.repeat(64),
    assetVersion: 1,
    durationSeconds: inputSeconds,
  };
}

describe('LocalPublisher', () => {
  it('writes the mp4 and a complete VOD HLS rendition under DATA_DIR/media/{id}', async () => {
    const dataDir = join(dir.path, 'data-1');
    const publisher = new LocalPublisher({ dataDir });
    const result = await publisher.publish(input());
    expect(result.videoId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.playbackUrl).toBe(`/media/${result.videoId}/playlist.m3u8`);
    const media = join(dataDir, 'media', result.videoId);
    expect(await readFile(join(media, 'video.mp4'))).toEqual(await readFile(mp4));
    const playlistText = await readFile(join(media, 'playlist.m3u8'), 'utf8');
    expect(playlistText).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    const playlist = parseHlsPlaylist(playlistText);
    expect(playlist.ended).toBe(true);
    expect(playlist.segments.length).toBeGreaterThanOrEqual(2);
    expect(Math.abs(playlist.totalSeconds - inputSeconds)).toBeLessThan(0.25);
    for (const segment of playlist.segments) {
      expect((await stat(join(media, segment.uri))).size).toBeGreaterThan(0);
    }
    const probed = await probeMedia(join(media, playlist.segments[0]!.uri));
    expect(probed.video?.codec).toBe('h264');
    expect(probed.audio?.codec).toBe('aac');
    const status = await publisher.status(result.videoId);
    expect(status.state).toBe('ready');
    expect(status.raw).toMatchObject({ segments: playlist.segments.length });
  });

  it('gives every publish a fresh id, and delete removes only that one', async () => {
    const dataDir = join(dir.path, 'data-2');
    const publisher = new LocalPublisher({ dataDir });
    const first = await publisher.publish(input());
    const second = await publisher.publish(input());
    expect(first.videoId).not.toBe(second.videoId);
    expect(await publisher.delete(first.videoId)).toEqual({ deleted: true });
    expect(await publisher.delete(first.videoId)).toEqual({ deleted: false });
    expect(await publisher.status(first.videoId)).toEqual({ state: 'missing' });
    expect((await publisher.status(second.videoId)).state).toBe('ready');
    expect(await readdir(join(dataDir, 'media'))).toEqual([second.videoId]);
  });

  it('reports an incomplete rendition as failed', async () => {
    const dataDir = join(dir.path, 'data-3');
    const publisher = new LocalPublisher({ dataDir });
    const { videoId } = await publisher.publish(input());
    const media = join(dataDir, 'media', videoId);
    const playlist = parseHlsPlaylist(await readFile(join(media, 'playlist.m3u8'), 'utf8'));
    await rm(join(media, playlist.segments[1]!.uri));
    const status = await publisher.status(videoId);
    expect(status.state).toBe('failed');
    expect(status.raw).toMatchObject({ absentSegments: [playlist.segments[1]!.uri] });
  });

  it('refuses ids it did not make, so no path can escape the media dir', async () => {
    const publisher = new LocalPublisher({ dataDir: join(dir.path, 'data-4') });
    expect((await publisher.status('../../etc')).state).toBe('missing');
    await expect(publisher.delete('../data-1')).rejects.toMatchObject({ code: 'PUBLISH_FAILED' });
  });

  it('fails with PUBLISH_FAILED on a file that is not a video and leaves nothing behind', async () => {
    const dataDir = join(dir.path, 'data-5');
    const bogus = join(dir.path, 'bogus.mp4');
    await writeFile(bogus, 'this is not a video');
    const publisher = new LocalPublisher({ dataDir });
    const error = await publisher.publish(input(bogus)).catch((reason: unknown) => reason);
    expect(error).toMatchObject({ code: 'PUBLISH_FAILED' });
    expect((error as Error).message).toContain(bogus);
    expect(await readdir(join(dataDir, 'media'))).toEqual([]);
  });
});
