import { copyFile, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Manifest, runFfmpeg } from '@exercise-pipeline/shared';
import type { PlannedExtraction, PlannedRename } from '../plan/plan-renames.js';
import type { VideoProfile } from '../validate/check-bundle.js';
import { manifestJson } from './manifest-json.js';
import { transcodeVideoArgs, voiceOverArgs } from './mezzanine.js';

export type StagedHow = 'linked' | 'copied' | 'extracted' | 'transcoded' | 'written';

export interface StagedFile {
  /** Key relative to the bundle (`rep-left-video-1.mp4`). */
  target: string;
  /** The delivered file it came from; `null` for the manifest. */
  source: string | null;
  how: StagedHow;
}

export interface StageBundleInput {
  /** The delivery folder; never written to. */
  folder: string;
  /** Empty (or absent) directory that becomes the convention bundle. */
  bundleDir: string;
  /** Scratch space on the same file system as `bundleDir`, for half-written outputs. */
  workDir: string;
  renames: readonly PlannedRename[];
  extractions: readonly PlannedExtraction[];
  manifest: Manifest;
  /** Targets of videos to re-encode, and the profile to re-encode them to (`normalize: true`). */
  transcode?: { targets: ReadonlySet<string>; profile: VideoProfile };
  signal?: AbortSignal;
  /** Per ffmpeg run; default 10 minutes. */
  timeoutMs?: number;
}

const LINK_FALLBACK_CODES = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'EACCES']);

/**
 * A hard link costs no space and no time; a share on another file system (or one that forbids
 * links) gets a copy. Either way the original is only read.
 */
async function linkOrCopy(source: string, target: string): Promise<'linked' | 'copied'> {
  try {
    await link(source, target);
    return 'linked';
  } catch (error) {
    if (!LINK_FALLBACK_CODES.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    await copyFile(source, target);
    return 'copied';
  }
}

/** Runs ffmpeg into the work dir and renames into place, so a killed run never leaves a half file. */
async function encode(
  args: (output: string) => string[],
  target: string,
  input: StageBundleInput,
  index: number,
): Promise<void> {
  const scratch = join(input.workDir, `encode-${index}${target.slice(target.lastIndexOf('.'))}`);
  await runFfmpeg(args(scratch), {
    timeoutMs: input.timeoutMs ?? 600_000,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  await rename(scratch, target);
}

/**
 * Builds the convention layout from a delivery: renamed files hard-linked (or copied), framing
 * voice-overs extracted from the framing videos' sound, videos re-encoded when asked, and the
 * manifest written last. The team's originals are never modified, moved or deleted.
 */
export async function stageBundle(input: StageBundleInput): Promise<StagedFile[]> {
  await rm(input.bundleDir, { recursive: true, force: true });
  await rm(input.workDir, { recursive: true, force: true });
  await mkdir(input.bundleDir, { recursive: true });
  await mkdir(input.workDir, { recursive: true });
  const staged: StagedFile[] = [];
  let index = 0;
  for (const rename of input.renames) {
    const source = join(input.folder, rename.source);
    const target = join(input.bundleDir, rename.target);
    await mkdir(dirname(target), { recursive: true });
    if (input.transcode?.targets.has(rename.target)) {
      const profile = input.transcode.profile;
      await encode((out) => transcodeVideoArgs(source, out, profile), target, input, index++);
      staged.push({ target: rename.target, source: rename.source, how: 'transcoded' });
    } else if (rename.convert && rename.kind === 'voice-over') {
      await encode((out) => voiceOverArgs(source, out), target, input, index++);
      staged.push({ target: rename.target, source: rename.source, how: 'transcoded' });
    } else {
      staged.push({ target: rename.target, source: rename.source, how: await linkOrCopy(source, target) });
    }
  }
  for (const extraction of input.extractions) {
    const source = join(input.folder, extraction.source);
    const target = join(input.bundleDir, extraction.target);
    await mkdir(dirname(target), { recursive: true });
    await encode((out) => voiceOverArgs(source, out), target, input, index++);
    staged.push({ target: extraction.target, source: extraction.source, how: 'extracted' });
  }
  await writeFile(join(input.bundleDir, 'manifest.json'), manifestJson(input.manifest));
  staged.push({ target: 'manifest.json', source: null, how: 'written' });
  await rm(input.workDir, { recursive: true, force: true });
  return staged;
}
