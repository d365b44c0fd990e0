/**
 * What each finding of the picture and sound check says to the filming team, in English and in
 * Romanian: one line naming the file, the second and the problem, then how to fix it. Kept as a
 * function of (finding, language) so the report can follow the agent's report language.
 */
import { decimal, REPORT_LANGUAGES, type ReportLanguage } from '../report/language.js';
import type { QcFinding, QcKind } from './findings.js';

export { REPORT_LANGUAGES, type ReportLanguage };

/** The report's heading above the check's warnings. */
export function qcSectionTitle(language: ReportLanguage): string {
  return language === 'ro'
    ? 'Verificarea imaginii și a sunetului, de corectat data viitoare'
    : 'Picture and sound check, worth fixing';
}

/** `3.2` in English, `3,2` in Romanian: always one decimal. */
function seconds(value: number, language: ReportLanguage): string {
  return decimal(value, 1)[language];
}

function span(finding: QcFinding, language: ReportLanguage): string {
  const from = seconds(finding.atSeconds, language);
  const until = seconds(finding.untilSeconds ?? finding.atSeconds, language);
  return language === 'ro' ? `de la ${from} s la ${until} s` : `from ${from} s to ${until} s`;
}

/** Where a stretch sits: the start of the file, its end, or somewhere in between. */
function placeOf(finding: QcFinding): 'start' | 'middle' {
  return finding.atSeconds < 0.1 ? 'start' : 'middle';
}

type Phrase = (finding: QcFinding, language: ReportLanguage) => { problem: string; fix: string };

type Table = Record<QcKind, Record<ReportLanguage, Phrase>>;

const MESSAGES: Table = {
  black: {
    en: (f) => ({
      problem: `black picture ${span(f, 'en')}`,
      fix:
        placeOf(f) === 'start'
          ? 'trim the black start or re-export the clip'
          : 'cut out the black part or re-export the clip',
    }),
    ro: (f) => ({
      problem: `imagine neagră ${span(f, 'ro')}`,
      fix:
        placeOf(f) === 'start'
          ? 'tăiați începutul negru sau exportați clipul din nou'
          : 'tăiați porțiunea neagră sau exportați clipul din nou',
    }),
  },
  freeze: {
    en: (f) => ({
      problem: `frozen picture (nothing moves) ${span(f, 'en')}`,
      fix: 'check the recording or the export there and re-export the clip',
    }),
    ro: (f) => ({
      problem: `imagine înghețată (nu se mișcă nimic) ${span(f, 'ro')}`,
      fix: 'verificați înregistrarea sau exportul în acel loc și exportați clipul din nou',
    }),
  },
  silent: {
    en: (f) => ({
      problem:
        f.value === undefined
          ? 'the voice-over is silent'
          : `the voice-over is silent or almost silent (its loudest moment is ${f.value.toFixed(1)} dB)`,
      fix: f.extractedVoiceOver
        ? 'export the video again with the voice on its sound track, or deliver the voice-over as a separate .mp3'
        : 'export the recording again with the voice audible',
    }),
    ro: (f) => ({
      problem:
        f.value === undefined
          ? 'vocea este mută'
          : `vocea este mută sau aproape mută (cel mai tare moment are ${decimal(f.value, 1).ro} dB)`,
      fix: f.extractedVoiceOver
        ? 'exportați din nou clipul cu vocea pe pista de sunet sau livrați vocea separat ca .mp3'
        : 'exportați din nou înregistrarea, cu vocea audibilă',
    }),
  },
  silence: {
    en: (f) => ({
      problem: `silence in the voice-over ${span(f, 'en')}`,
      fix: 'check that nothing is missing there; cut the pause shorter or record that part again',
    }),
    ro: (f) => ({
      problem: `liniște în voce ${span(f, 'ro')}`,
      fix: 'verificați să nu lipsească nimic acolo; scurtați pauza sau înregistrați din nou acea parte',
    }),
  },
  clipping: {
    en: (f) => ({
      problem: `the sound is distorted (clipped at full volume) in ${f.value ?? 0} places, the first at ${seconds(f.atSeconds, 'en')} s`,
      fix: 'record again with the input level lower, or export again without raising the volume so far',
    }),
    ro: (f) => ({
      problem: `sunetul este distorsionat (tăiat la volum maxim) în ${f.value ?? 0} locuri, primul la ${seconds(f.atSeconds, 'ro')} s`,
      fix: 'înregistrați din nou cu nivelul de intrare mai jos sau exportați din nou fără a ridica volumul atât de mult',
    }),
  },
  vfr: {
    en: (f) => ({
      problem: `the frame rate is not steady (${f.value ?? '?'} frames per second on average instead of ${f.nominal ?? '?'})`,
      fix: 'export the clip again at a constant frame rate',
    }),
    ro: (f) => ({
      problem: `numărul de cadre pe secundă nu este constant (în medie ${String(f.value ?? '?').replace('.', ',')} în loc de ${String(f.nominal ?? '?').replace('.', ',')})`,
      fix: 'exportați clipul din nou cu un număr constant de cadre pe secundă',
    }),
  },
  rotation: {
    en: (f) => ({
      problem: `the picture is marked to be turned by ${f.value ?? '?'} degrees when played`,
      fix: 'export the clip again upright (rotate it in the editor, not with a rotation flag)',
    }),
    ro: (f) => ({
      problem: `imaginea este marcată să fie rotită cu ${f.value ?? '?'} de grade la redare`,
      fix: 'exportați clipul din nou drept (rotiți-l în editor, nu cu un marcaj de rotație)',
    }),
  },
  undecodable: {
    en: (f) => ({
      problem: `the picture cannot be decoded to its end (ffmpeg: ${f.detail ?? 'no reason given'}), so it was not checked for black or frozen stretches`,
      fix: 'the video inside the file is damaged: export the clip again from the editor and deliver the new file',
    }),
    ro: (f) => ({
      problem: `imaginea nu poate fi decodată până la capăt (ffmpeg: ${f.detail ?? 'fără motiv'}), deci nu a fost verificată pentru porțiuni negre sau înghețate`,
      fix: 'video-ul din fișier este deteriorat: exportați clipul din nou din editor și livrați fișierul nou',
    }),
  },
};

/** The problem and its fix, in `language`. */
export function qcProblem(
  finding: QcFinding,
  language: ReportLanguage = 'en',
): { problem: string; fix: string } {
  const phrase = MESSAGES[finding.kind][language];
  const { problem, fix } = phrase(finding, language);
  if (!finding.extractedVoiceOver || finding.kind === 'silent') return { problem, fix };
  const prefix =
    language === 'ro'
      ? 'vocea luată din sunetul clipului: '
      : "the voice-over taken from the video's sound: ";
  return { problem: prefix + problem, fix };
}

/**
 * One line for the team: `intro-video.mp4: black picture from 0.0 s to 3.2 s — trim the black
 * start or re-export the clip`.
 */
export function qcMessage(finding: QcFinding, language: ReportLanguage = 'en'): string {
  const { problem, fix } = qcProblem(finding, language);
  return `${finding.file}: ${problem} — ${fix}`;
}
