import type { ProbeResult } from '@exercise-pipeline/shared';
import type { QcConfig } from '../rules/agent-config.js';
import { actionOf, type QcFinding, type QcKind, type QcMeasurements, type Stretch } from './findings.js';

/** Stretches reported per file and kind at most; the report stays readable for a badly broken file. */
const MAX_STRETCHES = 5;

function round(value: number, decimals = 1): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function rational(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const [numerator, denominator = '1'] = text.split('/');
  const value = Number(numerator) / Number(denominator);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Seconds of `stretch` covered by any of `others`. */
function covered(stretch: Stretch, others: readonly Stretch[]): number {
  return others.reduce(
    (sum, other) =>
      sum + Math.max(0, Math.min(stretch.end, other.end) - Math.max(stretch.start, other.start)),
    0,
  );
}

export interface JudgeInput {
  /** The file as the team delivered it. */
  file: string;
  kind: 'video' | 'voice-over';
  probe?: ProbeResult;
  measurements?: QcMeasurements;
  /** The measurements are of the voice-over cut out of this video's sound. */
  extractedVoiceOver?: boolean;
}

/**
 * Turns what ffprobe and the analysis filters measured in one file into findings, each with the
 * action the config gives its kind (kinds set to "off" give none). Pure.
 */
export function judgeQc(input: JudgeInput, config: QcConfig): QcFinding[] {
  const findings: QcFinding[] = [];
  const add = (kind: QcKind, finding: Omit<QcFinding, 'kind' | 'file' | 'action'>) => {
    const action = actionOf(config, kind);
    if (action === 'off') return;
    findings.push({
      kind,
      file: input.file,
      action,
      ...finding,
      ...(input.extractedVoiceOver ? { extractedVoiceOver: true } : {}),
    });
  };
  const stretches = (kind: QcKind, list: readonly Stretch[]) => {
    for (const stretch of list.slice(0, MAX_STRETCHES)) {
      add(kind, { atSeconds: round(stretch.start), untilSeconds: round(stretch.end) });
    }
  };
  const m = input.measurements;
  const video = input.probe?.video;
  if (input.kind === 'video' && !input.extractedVoiceOver) {
    // A picture that cannot be decoded to its end was not checked: that is the finding.
    if (m?.undecodable !== undefined) add('undecodable', { atSeconds: 0, detail: m.undecodable });
    else if (m !== undefined) {
      stretches('black', m.black);
      // A black stretch is also a still one; it is reported once, as black.
      stretches(
        'freeze',
        m.freeze.filter((stretch) => covered(stretch, m.black) < 0.9 * (stretch.end - stretch.start)),
      );
    }
    if (video !== undefined) {
      const nominal = rational(video.frameRate);
      const average = rational(video.avgFrameRate);
      if (
        nominal !== undefined &&
        average !== undefined &&
        (Math.abs(nominal - average) / nominal) * 100 > config.vfrTolerancePercent
      ) {
        add('vfr', { atSeconds: 0, value: round(average, 2), nominal: round(nominal, 2) });
      }
      const rotation = video.rotation;
      if (rotation !== undefined && Math.round(rotation) % 360 !== 0) {
        add('rotation', { atSeconds: 0, value: Math.abs(Math.round(rotation)) });
      }
    }
    return findings;
  }
  if (m === undefined || m.truePeakDbtp === undefined) return findings;
  if (m.truePeakDbtp < config.silentPeakDbfs) {
    // A silent voice-over is one finding; its silences and peaks say nothing more.
    add('silent', {
      atSeconds: 0,
      ...(Number.isFinite(m.truePeakDbtp) ? { value: round(m.truePeakDbtp) } : {}),
    });
    return findings;
  }
  stretches('silence', m.silence);
  if (m.clippedPlaces >= config.clippingMinPlaces) {
    add('clipping', { atSeconds: round(m.firstClippedSeconds ?? 0), value: m.clippedPlaces });
  }
  return findings;
}

/** The loudness to store with a voice-over, when it was measured and is a number. */
export function loudnessOf(m: QcMeasurements | undefined) {
  if (m?.integratedLufs === undefined || m.truePeakDbtp === undefined) return undefined;
  if (!Number.isFinite(m.integratedLufs)) return undefined;
  return { integratedLufs: m.integratedLufs, truePeakDbtp: m.truePeakDbtp };
}
