import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type CutMedia, makeCutMedia } from '@exercise-pipeline/test/fixtures';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDelivery } from './check-delivery.js';

let dir: TempDir;
let media: CutMedia;

beforeAll(async () => {
  dir = await createTempDir('check-delivery');
  media = await makeCutMedia(dir.path);
});
afterAll(async () => {
  await dir?.remove();
});

async function delivery(name: string, files: Record<string, string>): Promise<string> {
  const folder = path.join(dir.path, name);
  await mkdir(folder, { recursive: true });
  for (const [target, source] of Object.entries(files)) await copyFile(source, path.join(folder, target));
  return folder;
}

describe('checkDelivery with the default probe', () => {
  it('settles a delivery whose files read to their end', async () => {
    const folder = await delivery('whole', {
      'Squat - Intro.mp4': media.mp4,
      'Squat 1-20 Stanga.mp3': media.mp3,
    });
    const check = await checkDelivery({ folder, isIgnored: () => false });
    expect(check.outcome).toBe('settled');
  });

  it('does not count a cut-off fast-start mp4 or mp3 as complete', async () => {
    const folder = await delivery('cut', {
      'Squat - Intro.mp4': media.cutMp4,
      'Squat 1-20 Stanga.mp3': media.cutMp3,
    });
    const check = await checkDelivery({ folder, isIgnored: () => false });
    expect(check.outcome).toBe('incomplete');
    const problems = check.outcome === 'incomplete' ? check.problems : [];
    expect(problems.map((problem) => problem.file).sort()).toEqual([
      'Squat - Intro.mp4',
      'Squat 1-20 Stanga.mp3',
    ]);
    for (const { problem } of problems) expect(problem).toContain('incomplete or damaged');
  });
});
