import { join } from 'node:path';
import { type RefusalReason, refusal } from '../plan/refusal.js';
import { collectQc, type QcOutcome, qcRefusals } from '../qc/inspect-qc.js';
import type { QcConfig } from '../rules/agent-config.js';
import { probeFiles } from '../validate/probe-files.js';
import type { DeliveryPlan } from './plan-delivery.js';

/**
 * Probes the voice-overs cut out of the framing videos: a video whose sound track is present but
 * empty or undecodable only shows here, after extraction. With the picture and sound check on, each
 * is also decoded once to check its sound and measure its loudness.
 */
export async function checkStagedVoiceOvers(
  bundleDir: string,
  plan: DeliveryPlan,
  qcConfig: QcConfig,
  signal?: AbortSignal,
): Promise<{ reasons: RefusalReason[]; qc: QcOutcome }> {
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
    // The agent's own ffmpeg output, checked right after writing: the probe is enough, unless the
    // sound is to be checked, which reads it through anyway.
    { readPackets: qcConfig.enabled, qc: qcConfig, ...(signal ? { signal } : {}) },
  );
  const qc = collectQc(probed, qcConfig, true);
  const reasons = probed
    .filter((file) => file.probe?.audio === undefined || !(file.probe.durationSeconds > 0))
    .map((file) => refusal('extractedVoiceEmpty', { slot: file.file.slot }, file.file.name));
  return { reasons: [...reasons, ...qcRefusals(qc.findings)], qc };
}
