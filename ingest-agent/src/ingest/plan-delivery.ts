import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Manifest } from '@exercise-pipeline/shared';
import { buildManifest, manifestRefusals } from '../plan/build-manifest.js';
import { type PlannedExtraction, type PlannedRename, planRenames } from '../plan/plan-renames.js';
import { type RefusalReason, refusal } from '../plan/refusal.js';
import { resolveSlug } from '../plan/slug.js';
import type { AgentConfig } from '../rules/agent-config.js';
import { isJunk } from '../rules/is-junk.js';
import { type DeliveryScan, scanDelivery } from './scan-delivery.js';

/** Everything decided about a delivery before any media is read: names, manifest, refusals. */
export interface DeliveryPlan {
  /** Absolute path of the delivery folder. */
  folder: string;
  folderName: string;
  /** The exercise slug, or null when it could not be decided (then `refusals` says why). */
  exercise: string | null;
  renames: PlannedRename[];
  extractions: PlannedExtraction[];
  ignored: string[];
  /** The manifest the bundle will carry; null when it is invalid (see `refusals`). */
  manifest: Manifest | null;
  /** Bundle keys relative to the exercise prefix, media first and `manifest.json` last. */
  uploads: string[];
  refusals: RefusalReason[];
  /** The listing the plan was made from; compared with a later one to notice copies in progress. */
  scan: DeliveryScan;
}

export interface ComposePlanInput {
  folder: string;
  scan: DeliveryScan;
  /** Text of the delivery's top-level manifest.json, when it has one. */
  manifestText: string | null;
  config: AgentConfig;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Pure: turns a folder listing (and the delivered manifest's text) into the delivery's plan. Every
 * reason to refuse is collected, not just the first, so the team can fix everything in one go.
 */
export function composeDeliveryPlan(input: ComposePlanInput): DeliveryPlan {
  const { config, scan } = input;
  const folderName = basename(input.folder);
  const renamePlan = planRenames(scan.files, config);
  const refusals: RefusalReason[] = [
    ...scan.unreadable.filter((reason) => reason.file === undefined || !isJunk(reason.file, config.junk)),
    ...renamePlan.refusals,
  ];

  let delivered: unknown;
  if (renamePlan.manifestFile !== null && input.manifestText !== null) {
    try {
      delivered = JSON.parse(input.manifestText);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      refusals.push(refusal('manifestNotJson', { detail }, renamePlan.manifestFile));
    }
  }

  const slug = resolveSlug({
    manifestExercise: isRecord(delivered) ? delivered.exercise : undefined,
    folderName,
    folderSlugs: config.folderSlugs,
  });
  let manifest: Manifest | null = null;
  if (!slug.ok) refusals.push(slug.reason);
  else {
    const built = buildManifest({
      ...(delivered === undefined ? {} : { deliveredManifest: delivered }),
      slug: slug.slug,
      sides: renamePlan.sides,
      languages: renamePlan.languages,
      config,
    });
    if (built.ok) manifest = built.manifest;
    else refusals.push(...manifestRefusals(built.issues, built.deliveredFields));
  }

  const media = [...renamePlan.renames.map((r) => r.target), ...renamePlan.extractions.map((e) => e.target)];
  return {
    folder: input.folder,
    folderName,
    exercise: slug.ok ? slug.slug : null,
    renames: renamePlan.renames,
    extractions: renamePlan.extractions,
    ignored: renamePlan.ignored,
    manifest,
    uploads: [...media.sort(), 'manifest.json'],
    refusals,
    scan,
  };
}

/** Lists the folder and plans it; reads only (the `plan` command and the first step of an ingest). */
export async function planDelivery(folder: string, config: AgentConfig): Promise<DeliveryPlan> {
  const absolute = resolve(folder);
  const scan = await scanDelivery(absolute);
  const manifestEntry = scan.files.find((file) => file.relativePath.toLowerCase() === 'manifest.json');
  const manifestText =
    manifestEntry === undefined ? null : await readFile(join(absolute, manifestEntry.relativePath), 'utf8');
  return composeDeliveryPlan({ folder: absolute, scan, manifestText, config });
}
