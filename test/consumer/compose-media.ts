/** Small generated bundles and content checks shared by the composer's and the CLI's media tests. */
import path from 'node:path';
import type { SegmentSummary, VideoProfile } from '@exercise-pipeline/render-consumer/compose';
import { expect } from 'vitest';
import {
  type BundleOptions,
  colourDistance,
  estimateToneHz,
  type GeneratedBundle,
  generateBundle,
  hexToRgb,
  SMALL_MEDIA,
  sampleFrameColour,
} from '../fixtures/index.js';
import { createTempDir } from '../harness/temp-dir.js';

export { SMALL_MEDIA };

/** The stream profile of a 160x90 H.264 clip at 25 fps, as the composer's unit tests expect it. */
export const H264_160X90_PROFILE: VideoProfile = {
  codec: 'h264',
  width: 160,
  height: 90,
  frameRate: '25/1',
  fps: 25,
  timeBase: '1/12800',
  pixelFormat: 'yuv420p',
  codecSetup: 'High|30|SHA256:ab',
};

export interface TempRoot {
  dir: string;
  bundle(name: string, options?: BundleOptions): Promise<GeneratedBundle>;
  remove(): Promise<void>;
}

/** A temp dir (see createTempDir) that generates small bundles into itself, sharing one media cache. */
export async function createTempRoot(label: string): Promise<TempRoot> {
  const temp = await createTempDir(label);
  const dir = temp.path;
  return {
    dir,
    bundle: (name, options = {}) =>
      generateBundle(path.join(dir, name), {
        ...SMALL_MEDIA,
        cacheDir: path.join(dir, 'media-cache'),
        ...options,
      }),
    remove: () => temp.remove(),
  };
}

export function fileOf(bundle: GeneratedBundle, key: string) {
  const file = bundle.files.find((f) => f.path === key);
  if (!file) throw new Error(`the generated bundle has no ${key}`);
  return file;
}

/** Samples the middle frame of every video of every segment and compares it with the clip's colour. */
export async function expectSegmentColours(
  render: string,
  bundle: GeneratedBundle,
  segments: readonly SegmentSummary[],
  clipSeconds: (key: string) => number,
): Promise<void> {
  for (const segment of segments) {
    let start = segment.startSeconds;
    for (const key of segment.videos) {
      const seconds = clipSeconds(key);
      const sample = await sampleFrameColour(render, start + seconds / 2);
      const expected = hexToRgb(fileOf(bundle, key).colour!);
      expect(
        colourDistance(sample, expected),
        `${key} at ${(start + seconds / 2).toFixed(2)} s`,
      ).toBeLessThan(40);
      start += seconds;
    }
  }
}

/** The tone heard from `from` for `seconds`, compared with a voice-over's tone (0 = silence). */
export async function expectTone(render: string, from: number, seconds: number, hz: number, what: string) {
  const heard = await estimateToneHz(render, from, seconds);
  if (hz === 0) expect(heard, `${what}: silence expected`).toBe(0);
  else
    expect(
      Math.abs(heard - hz) / hz,
      `${what}: heard ${heard.toFixed(0)} Hz, expected ${hz} Hz`,
    ).toBeLessThan(0.05);
}
