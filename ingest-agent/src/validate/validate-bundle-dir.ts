import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Manifest, parseBundleKey, parseManifest } from '@exercise-pipeline/shared';
import type { RefusalReason } from '../plan/refusal.js';
import { BUNDLE_CONTAINER } from '../rules/agent-config.js';
import { checkBundle } from './check-bundle.js';
import { checkMedia } from './check-media.js';
import type { MediaFile } from './media-file.js';
import { probeFiles } from './probe-files.js';

export interface BundleValidation {
  /** Absolute path of the bundle directory. */
  dir: string;
  exercise: string | null;
  ok: boolean;
  /** Keys relative to the bundle, sorted. */
  files: string[];
  reasons: RefusalReason[];
  warnings: RefusalReason[];
}

const CONVENTION =
  'Keep only manifest.json, {slot}-video-{n}.mp4 and audio/{lang}/{slot}-vo-{n}.mp3 (slots: intro, pauza, outro, rep-left, rep-right, rep-bilateral)';

async function listKeys(root: string, relative = ''): Promise<string[]> {
  const entries = await readdir(join(root, relative), { withFileTypes: true });
  const keys: string[] = [];
  for (const entry of entries) {
    const key = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) keys.push(...(await listKeys(root, key)));
    else keys.push(key);
  }
  return keys.sort();
}

function readManifest(text: string): { manifest: Manifest | null; reasons: RefusalReason[] } {
  const parsed = parseManifest(text);
  if (parsed.ok) return { manifest: parsed.manifest, reasons: [] };
  return {
    manifest: null,
    reasons: parsed.issues.map((issue) => ({
      file: 'manifest.json',
      problem: `${issue.field}: ${issue.message}`,
      fix: 'Correct this field in manifest.json',
    })),
  };
}

/**
 * Checks a hand-made convention bundle the way an ingest checks a staged one: layout, manifest,
 * every media file probed, every needed slot and voice-over present, counting masters long enough,
 * and videos that differ from the rest. Reads only.
 */
export async function validateBundleDir(bundleDir: string, signal?: AbortSignal): Promise<BundleValidation> {
  const dir = resolve(bundleDir);
  const files = await listKeys(dir);
  const reasons: RefusalReason[] = [];
  const media: MediaFile[] = [];
  let manifest: Manifest | null = null;
  for (const key of files) {
    const parsed = parseBundleKey(key);
    if (parsed === null) {
      reasons.push({ file: key, problem: 'the name does not follow the bundle convention', fix: CONVENTION });
    } else if (parsed.kind === 'manifest') {
      const read = readManifest(await readFile(join(dir, key), 'utf8'));
      manifest = read.manifest;
      reasons.push(...read.reasons);
    } else {
      media.push({
        name: key,
        target: key,
        kind: parsed.kind,
        slot: parsed.slot,
        variant: parsed.variant,
        language: parsed.kind === 'voice-over' ? parsed.language : '',
        ext: parsed.ext,
        extractsVoiceOver: false,
      });
    }
  }
  if (!files.includes('manifest.json')) {
    reasons.push({
      file: 'manifest.json',
      problem: 'the bundle has no manifest.json',
      fix: 'Add manifest.json with at least {"exercise": "<slug>", "languages": ["ro"]}',
    });
  }
  const probed = await probeFiles(
    media.map((file) => ({ file, path: join(dir, file.target) })),
    signal ? { signal } : {},
  );
  const allowed = { video: [BUNDLE_CONTAINER.video], 'voice-over': [BUNDLE_CONTAINER['voice-over']] };
  reasons.push(...probed.flatMap((file) => checkMedia(file, allowed)));
  let warnings: RefusalReason[] = [];
  if (manifest !== null) {
    const bundle = checkBundle({ manifest, probed, extracted: [] });
    reasons.push(...bundle.refusals);
    warnings = bundle.warnings;
  }
  return { dir, exercise: manifest?.exercise ?? null, ok: reasons.length === 0, files, reasons, warnings };
}
