import { join } from 'node:path';
import type { PlannedRename } from '../plan/plan-renames.js';
import { collectQc, type QcOutcome, qcRefusals } from '../qc/inspect-qc.js';
import { picturesChecked, picturesRefuse } from '../qc/qc-graph.js';
import type { RefusalReason } from '../plan/refusal.js';
import type { AgentConfig } from '../rules/agent-config.js';
import { mezzanineProfile, needsTranscode } from '../stage/mezzanine.js';
import { checkBundle, type VideoProfile } from '../validate/check-bundle.js';
import { checkMedia } from '../validate/check-media.js';
import type { MediaFile } from '../validate/media-file.js';
import { checkPictures, probeFiles } from '../validate/probe-files.js';
import type { DeliveryPlan } from './plan-delivery.js';

export interface Inspection {
  refusals: RefusalReason[];
  warnings: RefusalReason[];
  /** Set when `normalize: true` and some videos must be re-encoded. */
  transcode?: { targets: Set<string>; profile: VideoProfile };
  /** Delivered names of the videos in `transcode`. */
  transcoded: string[];
  /** The picture and sound check of the delivered files (refusals among them are in `refusals`). */
  qc: QcOutcome;
  /**
   * When the videos' pictures are checked beside staging and upload (no black or freeze refusal
   * configured): the whole check, `qc` with their black and frozen stretches added. Whoever
   * inspects must see it finish (await it, or abort the signal given and let it reject).
   */
  pictures?: Promise<QcOutcome>;
}

function extension(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(dot + 1).toLowerCase();
}

function mediaFileOf(rename: PlannedRename, plan: DeliveryPlan): MediaFile {
  return {
    name: rename.source,
    target: rename.target,
    kind: rename.kind,
    slot: rename.slot,
    variant: rename.variant,
    language: rename.language,
    ext: extension(rename.source),
    extractsVoiceOver: plan.extractions.some((extraction) => extraction.source === rename.source),
  };
}

/**
 * Reads every delivered media file with ffprobe and judges the delivery as a whole: damaged or
 * fake files, missing slots or voice-overs, counting masters too short for the rep videos' pace,
 * and videos that differ from the rest (warned about, or re-encoded when `normalize` is on). The
 * same read of each file decodes it once for the picture and sound check (`qc` in the config).
 */
export async function inspectDelivery(
  plan: DeliveryPlan,
  config: AgentConfig,
  signal?: AbortSignal,
  picturesSignal?: AbortSignal,
): Promise<Inspection> {
  const targets = plan.renames.map((rename) => ({
    file: mediaFileOf(rename, plan),
    path: join(plan.folder, rename.source),
  }));
  // Black or frozen pictures that only warn need not hold up staging and upload: the decode, most
  // of the check's cost, then runs beside them and is awaited before the report.
  const deferPictures = picturesChecked(config.qc) && !picturesRefuse(config.qc);
  const probed = await probeFiles(targets, { qc: config.qc, deferPictures, ...(signal ? { signal } : {}) });
  const refusals = probed.flatMap((file) => checkMedia(file, config.allowedContainers));
  const qc = collectQc(probed, config.qc);
  refusals.push(...qcRefusals(qc.findings));
  const pictureSignal = picturesSignal ?? signal;
  const later = deferPictures
    ? {
        pictures: checkPictures(probed, new Map(targets.map((t) => [t.file.name, t.path])), config.qc, {
          ...(pictureSignal ? { signal: pictureSignal } : {}),
        }).then((checked) => collectQc(checked, config.qc)),
      }
    : {};
  // Awaited by the caller; until then a rejection (an abort) must not count as unhandled.
  later.pictures?.catch(() => undefined);
  if (plan.manifest === null) return { refusals, warnings: [], transcoded: [], qc, ...later };
  const bundle = checkBundle({ manifest: plan.manifest, probed, extracted: plan.extractions });
  refusals.push(...bundle.refusals);
  if (!config.normalize || bundle.profile === null) {
    return { refusals, warnings: bundle.warnings, transcoded: [], qc, ...later };
  }
  const profile = mezzanineProfile(bundle.profile);
  const videos = probed.filter(
    (file) =>
      file.file.kind === 'video' && needsTranscode(file.probe?.video, file.probe?.formatName ?? '', profile),
  );
  return {
    refusals,
    warnings: [],
    transcoded: videos.map((file) => file.file.name),
    qc,
    ...later,
    ...(videos.length > 0
      ? { transcode: { targets: new Set(videos.map((file) => file.file.target)), profile } }
      : {}),
  };
}
