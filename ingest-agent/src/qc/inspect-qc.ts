import { LOUDNESS_METADATA, MAX_QC_FINDINGS, type QcFindingDetail } from '@exercise-pipeline/shared';
import type { RefusalReason } from '../plan/refusal.js';
import type { ReportLanguage } from '../report/language.js';
import type { QcConfig } from '../rules/agent-config.js';
import type { ProbedFile } from '../validate/media-file.js';
import type { Loudness, QcFinding } from './findings.js';
import { judgeQc, loudnessOf } from './judge-qc.js';
import { qcMessage, qcProblem } from './messages.js';

/** What the picture and sound check found in a set of probed files. */
export interface QcOutcome {
  /** Every finding, warnings and refusals alike, in file order. */
  findings: QcFinding[];
  /** Loudness per bundle key of each measured voice-over. */
  loudness: Map<string, Loudness>;
}

/**
 * Judges the files probeFiles measured (see ProbeFilesOptions.qc); `extracted` marks voice-overs cut
 * out of a video's sound, which the team knows by the video's name.
 */
export function collectQc(probed: readonly ProbedFile[], config: QcConfig, extracted = false): QcOutcome {
  const findings: QcFinding[] = [];
  const loudness = new Map<string, Loudness>();
  if (!config.enabled) return { findings, loudness };
  for (const file of probed) {
    findings.push(
      ...judgeQc(
        {
          file: file.file.name,
          kind: file.file.kind,
          ...(file.probe ? { probe: file.probe } : {}),
          ...(file.qc ? { measurements: file.qc } : {}),
          ...(extracted ? { extractedVoiceOver: true } : {}),
        },
        config,
      ),
    );
    const measured = file.file.kind === 'voice-over' ? loudnessOf(file.qc) : undefined;
    if (measured !== undefined) loudness.set(file.file.target, measured);
  }
  return { findings, loudness };
}

/** The findings the config makes refusals, as refusal reasons in the team's words. */
export function qcRefusals(findings: readonly QcFinding[]): RefusalReason[] {
  return findings
    .filter((finding) => finding.action === 'refuse')
    .map((finding) => {
      const worded = (language: ReportLanguage) => {
        const { problem, fix } = qcProblem(finding, language);
        return { problem, fix: fix.charAt(0).toUpperCase() + fix.slice(1) };
      };
      const en = worded('en');
      return { file: finding.file, ...en, worded: { en, ro: worded('ro') } };
    });
}

/** ebur128's floor (its absolute gate); digital silence is stated as this rather than minus infinity. */
const FLOOR_DB = -70;

/**
 * `{"loudness-lufs": "-23.4", "true-peak-dbtp": "-3.2"}`, always both (readers take half a pair as
 * unusable); the true peak of digital silence, minus infinity, is stated as the floor, -70.0.
 */
export function loudnessMetadata(loudness: Loudness): Record<string, string> {
  const floored = (value: number) => (Number.isFinite(value) ? value : FLOOR_DB).toFixed(1);
  return {
    [LOUDNESS_METADATA.integrated]: floored(loudness.integratedLufs),
    [LOUDNESS_METADATA.truePeak]: floored(loudness.truePeakDbtp),
  };
}

/** The findings as "Bundle Synced" carries them (for the operators' status page), English text. */
export function findingDetails(findings: readonly QcFinding[]): QcFindingDetail[] {
  return findings.slice(0, MAX_QC_FINDINGS).map((finding) => ({
    kind: finding.kind,
    file: finding.file,
    atSeconds: finding.atSeconds,
    ...(finding.untilSeconds === undefined ? {} : { untilSeconds: finding.untilSeconds }),
    action: finding.action,
    message: qcMessage(finding, 'en'),
  }));
}
