import { join } from 'node:path';
import { type RefusalReason, refusal } from '../plan/refusal.js';
import { probeFiles } from '../validate/probeFiles.js';
import type { DeliveryPlan } from './planDelivery.js';

/**
 * Probes the voice-overs cut out of the framing videos: a video whose sound track is present but
 * empty or undecodable only shows here, after extraction.
 */
export async function checkStagedVoiceOvers(
  bundleDir: string,
  plan: DeliveryPlan,
  signal?: AbortSignal,
): Promise<RefusalReason[]> {
  const probed = await probeFiles(
    plan.extractions.map((extraction) => ({
      file: {
        name: extraction.source,
        target: extraction.target,
        kind: 'voice-over' as const,
        slot: extraction.slot,
        variant: extraction.variant,
        language: extraction.language,
        ext: 'mp3',
        extractsVoiceOver: false,
      },
      path: join(bundleDir, extraction.target),
    })),
    // The agent's own ffmpeg output, checked right after writing: the probe is enough.
    { readPackets: false, ...(signal ? { signal } : {}) },
  );
  return probed
    .filter((file) => file.probe?.audio === undefined || !(file.probe.durationSeconds > 0))
    .map((file) => refusal('extractedVoiceEmpty', { slot: file.file.slot }, file.file.name));
}
