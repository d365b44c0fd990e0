import { describe, expect, it } from 'vitest';
import { englishReason, reasonIn } from '../plan/refusal.js';
import { QC_KINDS, type QcFinding } from './findings.js';
import { qcRefusals } from './inspect-qc.js';
import { qcMessage, qcProblem, REPORT_LANGUAGES } from './messages.js';

const base = { file: 'intro-video.mp4', action: 'warn' as const };

describe('qcMessage', () => {
  it("names file, seconds, problem and fix in the team's words", () => {
    const black: QcFinding = { ...base, kind: 'black', atSeconds: 0, untilSeconds: 3.2 };
    expect(qcMessage(black)).toBe(
      'intro-video.mp4: black picture from 0.0 s to 3.2 s — trim the black start or re-export the clip',
    );
    expect(qcMessage(black, 'ro')).toBe(
      'intro-video.mp4: imagine neagră de la 0,0 s la 3,2 s — tăiați începutul negru sau exportați clipul din nou',
    );
    expect(qcMessage({ ...black, atSeconds: 4, untilSeconds: 5.5 })).toContain('cut out the black part');
  });

  it.each(REPORT_LANGUAGES)('has a line for every kind in %s, with the file and the second', (language) => {
    for (const kind of QC_KINDS) {
      const finding: QcFinding = { ...base, kind, atSeconds: 2.4, untilSeconds: 6, value: 12, nominal: 25 };
      const line = qcMessage(finding, language);
      expect(line.startsWith('intro-video.mp4: ')).toBe(true);
      expect(line).toContain(' — ');
      if (['black', 'freeze', 'silence', 'clipping'].includes(kind)) {
        expect(line).toContain(language === 'ro' ? '2,4 s' : '2.4 s');
      }
    }
  });

  it('writes Romanian with its own letters (comma-below ș and ț, never the cedilla forms)', () => {
    const all = QC_KINDS.map((kind) =>
      qcMessage({ ...base, kind, atSeconds: 1, untilSeconds: 2, value: 3, nominal: 25 }, 'ro'),
    ).join('\n');
    expect(all).toMatch(/[ăâîșț]/);
    expect(all).not.toMatch(/[şţ]/);
    expect(qcProblem({ ...base, kind: 'silent', atSeconds: 0 }, 'ro').problem).toBe('vocea este mută');
  });

  it("says when a finding is about the voice-over taken from a video's sound", () => {
    const finding: QcFinding = {
      ...base,
      kind: 'clipping',
      atSeconds: 1.2,
      value: 14,
      extractedVoiceOver: true,
    };
    expect(qcMessage(finding)).toBe(
      "intro-video.mp4: the voice-over taken from the video's sound: the sound is distorted (clipped at full volume) in 14 places, the first at 1.2 s — record again with the input level lower, or export again without raising the volume so far",
    );
  });
});

describe('qcRefusals', () => {
  it('words a refusing finding in the report language and keeps the event English', () => {
    const silent: QcFinding = { file: 'rep-left-audio.mp3', action: 'refuse', kind: 'silent', atSeconds: 0 };
    const [reason] = qcRefusals([silent, { ...silent, action: 'warn', file: 'intro-audio.mp3' }]);
    expect(reason?.file).toBe('rep-left-audio.mp3');
    expect(reasonIn(reason!, 'ro').problem).toBe('vocea este mută');
    expect(reasonIn(reason!, 'en').problem).toBe(reason?.problem);
    expect(englishReason(reason!)).toEqual({
      file: 'rep-left-audio.mp3',
      problem: reason?.problem,
      fix: reason?.fix,
    });
    expect(reason?.problem).not.toBe('vocea este mută');
  });
});
