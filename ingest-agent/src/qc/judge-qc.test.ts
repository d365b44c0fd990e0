import type { ProbeResult } from '@exercise-pipeline/shared';
import { fullHdProbe } from '@exercise-pipeline/test/fixtures';
import { describe, expect, it } from 'vitest';
import { agentConfigSchema } from '../rules/agent-config.js';
import { emptyMeasurements, type QcMeasurements } from './findings.js';
import { judgeQc, loudnessOf } from './judge-qc.js';

const qc = agentConfigSchema.parse({}).qc;

function video(extra: Partial<NonNullable<ProbeResult['video']>> = {}): ProbeResult {
  return fullHdProbe(10, 1, { avgFrameRate: '25/1', ...extra });
}

function measured(extra: Partial<QcMeasurements>): QcMeasurements {
  return { ...emptyMeasurements(), ...extra };
}

describe('judgeQc', () => {
  it('reports a picture that cannot be decoded, warning beside the upload and refusing before it', () => {
    const input = {
      file: '5 Stanga.mp4',
      kind: 'video' as const,
      probe: video(),
      measurements: measured({ undecodable: 'Invalid NAL unit size (-2038848578 > 2428).' }),
    };
    const finding = {
      kind: 'undecodable',
      file: '5 Stanga.mp4',
      atSeconds: 0,
      detail: 'Invalid NAL unit size (-2038848578 > 2428).',
    };
    expect(judgeQc(input, qc)).toEqual([{ ...finding, action: 'warn' }]);
    expect(judgeQc(input, { ...qc, black: 'refuse' })).toEqual([{ ...finding, action: 'refuse' }]);
    // Unchecked, a picture has no other finding than that it was not checked; vfr and rotation still come from the probe.
    expect(judgeQc({ ...input, probe: video({ rotation: 90 }) }, qc).map((f) => f.kind)).toEqual([
      'undecodable',
      'rotation',
    ]);
  });

  it('reports a black start once, not also as frozen, and a frozen stretch elsewhere', () => {
    const findings = judgeQc(
      {
        file: 'Intro.mp4',
        kind: 'video',
        probe: video(),
        measurements: measured({
          black: [{ start: 0, end: 3.24 }],
          freeze: [
            { start: 0, end: 3.2 },
            { start: 6, end: 9 },
          ],
        }),
      },
      qc,
    );
    expect(findings).toEqual([
      { kind: 'black', file: 'Intro.mp4', action: 'warn', atSeconds: 0, untilSeconds: 3.2 },
      { kind: 'freeze', file: 'Intro.mp4', action: 'warn', atSeconds: 6, untilSeconds: 9 },
    ]);
  });

  it('gives each kind its configured action and nothing for kinds that are off', () => {
    const findings = judgeQc(
      {
        file: 'Intro.mp4',
        kind: 'video',
        probe: video({ rotation: -90, avgFrameRate: '2950/100', frameRate: '30/1' }),
        measurements: measured({ black: [{ start: 1, end: 2 }] }),
      },
      { ...qc, black: 'refuse', rotation: 'off' },
    );
    expect(findings).toEqual([
      { kind: 'black', file: 'Intro.mp4', action: 'refuse', atSeconds: 1, untilSeconds: 2 },
      { kind: 'vfr', file: 'Intro.mp4', action: 'warn', atSeconds: 0, value: 29.5, nominal: 30 },
    ]);
  });

  it('finds a turned picture, and no variable rate within the tolerance', () => {
    const findings = judgeQc(
      { file: 'Left.mp4', kind: 'video', probe: video({ rotation: -90, avgFrameRate: '24975/1000' }) },
      qc,
    );
    expect(findings).toEqual([
      { kind: 'rotation', file: 'Left.mp4', action: 'warn', atSeconds: 0, value: 90 },
    ]);
  });

  it('calls a voice-over below the silent peak silent, and says nothing more about it', () => {
    const findings = judgeQc(
      {
        file: 'Stanga.mp3',
        kind: 'voice-over',
        measurements: measured({
          integratedLufs: -70,
          truePeakDbtp: Number.NEGATIVE_INFINITY,
          silence: [{ start: 0, end: 20 }],
        }),
      },
      qc,
    );
    expect(findings).toEqual([{ kind: 'silent', file: 'Stanga.mp3', action: 'warn', atSeconds: 0 }]);
    expect(loudnessOf(measured({ integratedLufs: -70, truePeakDbtp: Number.NEGATIVE_INFINITY }))).toEqual({
      integratedLufs: -70,
      truePeakDbtp: Number.NEGATIVE_INFINITY,
    });
  });

  it('reports long silences and clipping of an audible voice-over, clipping only from the minimum count', () => {
    const input = {
      file: 'Dreapta.mp3',
      kind: 'voice-over' as const,
      measurements: measured({
        integratedLufs: -14,
        truePeakDbtp: 0.4,
        silence: [{ start: 12.04, end: 21.5 }],
        clippedPlaces: 10,
        firstClippedSeconds: 2.38,
      }),
    };
    expect(judgeQc(input, qc)).toEqual([
      { kind: 'silence', file: 'Dreapta.mp3', action: 'warn', atSeconds: 12, untilSeconds: 21.5 },
      { kind: 'clipping', file: 'Dreapta.mp3', action: 'warn', atSeconds: 2.4, value: 10 },
    ]);
    expect(judgeQc(input, { ...qc, clippingMinPlaces: 11 }).map((f) => f.kind)).toEqual(['silence']);
  });

  it('marks findings of a voice-over cut out of a video, judged as sound', () => {
    const findings = judgeQc(
      {
        file: 'Intro.mp4',
        kind: 'voice-over',
        extractedVoiceOver: true,
        measurements: measured({ integratedLufs: -60, truePeakDbtp: -45.04 }),
      },
      qc,
    );
    expect(findings).toEqual([
      {
        kind: 'silent',
        file: 'Intro.mp4',
        action: 'warn',
        atSeconds: 0,
        value: -45,
        extractedVoiceOver: true,
      },
    ]);
  });
});
