import { probeMedia } from '@exercise-pipeline/shared';
import { type CutMedia, makeCutMedia } from '@exercise-pipeline/test/fixtures';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyVideoPackets, missingTail, readAllPackets, shortestSpacing } from './read-all-packets.js';

let dir: TempDir;
let media: CutMedia;

beforeAll(async () => {
  dir = await createTempDir('read-packets');
  media = await makeCutMedia(dir.path);
});
afterAll(async () => {
  await dir?.remove();
});

async function check(file: string): Promise<string | undefined> {
  const probe = await probeMedia(file);
  return readAllPackets(file, { declaredSeconds: probe.durationSeconds });
}

describe('readAllPackets', () => {
  it('passes complete files', async () => {
    expect(await check(media.mp4)).toBeUndefined();
    expect(await check(media.mp3)).toBeUndefined();
  });

  it('lists the video keyframes and the shortest distance between two frames, decoding nothing', async () => {
    const probe = await probeMedia(media.mp4);
    const packets = emptyVideoPackets();
    expect(
      await readAllPackets(media.mp4, { declaredSeconds: probe.durationSeconds, videoPackets: packets }),
    ).toBeUndefined();
    const fps = probe.video!.fps;
    expect(packets.keyframeTimes[0]).toBeCloseTo(0, 3);
    expect(packets.keyframeTimes.length).toBeGreaterThan(0);
    expect(packets.frameSpacing).toBeCloseTo(1 / fps, 4);
  });

  it('finds a cut-off fast-start mp4 that ffprobe still reports at full length', async () => {
    expect((await probeMedia(media.cutMp4)).durationSeconds).toBeCloseTo(4, 0);
    expect(await check(media.cutMp4)).toMatch(/corrupt input packet|partial file|holds/);
  });

  it('finds a cut-off mp3 whose Xing frame still declares the full length', async () => {
    expect((await probeMedia(media.cutMp3)).durationSeconds).toBeCloseTo(4, 0);
    expect(await check(media.cutMp3)).toMatch(/^it holds 1\.\d s of its 4\.\d s$/);
  });
});

describe('shortestSpacing', () => {
  it('takes the times in any order (B-frames come out of order) and is 0 for fewer than two', () => {
    expect(shortestSpacing([0, 3, 1, 2, 5])).toBe(1);
    expect(shortestSpacing([4])).toBe(0);
    expect(shortestSpacing([])).toBe(0);
  });
});

describe('missingTail', () => {
  it('tolerates encoder delay and frame rounding, not a missing tail', () => {
    expect(missingTail(4.049, 4.024)).toBe(false);
    expect(missingTail(0.2, 0)).toBe(false);
    expect(missingTail(600, 590)).toBe(false);
    expect(missingTail(4.049, 1.6)).toBe(true);
    expect(missingTail(600, 580)).toBe(true);
  });
});
