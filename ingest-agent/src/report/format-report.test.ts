import { describe, expect, it } from 'vitest';
import { refusal } from '../plan/refusal.js';
import { formatReport, type ReportInput } from './format-report.js';

/** A report's input with every list empty. */
function nothing(exercise: string | null): ReportInput {
  return {
    status: 'refused',
    exercise,
    renamed: [],
    extracted: [],
    transcoded: [],
    uploaded: [],
    skipped: [],
    ignored: [],
    rejected: [],
    warnings: [],
    findings: [],
  };
}

describe('formatReport', () => {
  const refused = {
    ...nothing('squat'),
    rejected: [
      refusal('nothingToIngest', {}),
      // An outcome journalled before reasons carried their message key: shown as stored.
      { file: 'old.mp4', problem: 'an old problem', fix: 'an old fix' },
    ],
  };

  it('writes a refusal in Romanian, keeping names and stored English reasons as they are', () => {
    expect(formatReport(refused, 'ro')).toBe(
      [
        'Această livrare NU a fost acceptată. Nu s-a încărcat nimic pentru exercițiul „squat”.',
        'Rezolvați problemele de mai jos. Agentul verifică din nou folderul imediat ce se schimbă ceva în el.',
        '',
        '1. Folderul în ansamblu',
        '   Problema: folderul nu conține niciun video și niciun fișier audio',
        '   Ce trebuie făcut: Copiați în folder fișierele exercițiului („001 Detensionari Lombare - Intro.mp4”, „… 5 Stanga.mp4” sau „… 1-20 Dreapta.mp3”)',
        '',
        '2. Fișier: old.mp4',
        '   Problema: an old problem',
        '   Ce trebuie făcut: an old fix',
        '',
      ].join('\n'),
    );
  });

  it('writes a deferral and a delivery with nothing new in English', () => {
    expect(formatReport({ ...refused, status: 'deferred', rejected: [] }, 'en')).toBe(
      'This delivery is still being copied. Nothing was uploaded for exercise "squat" yet.\nThe agent tries again once the files stop changing.\n',
    );
    const done = {
      ...nothing(null),
      status: 'done' as const,
      skipped: ['squat/manifest.json'],
    };
    expect(formatReport(done, 'en')).toBe(
      'Exercise "(unknown)" was delivered (the bucket already had all of it).\n\nAlready up to date (skipped) (1):\n  squat/manifest.json\n',
    );
    expect(formatReport(done, 'ro')).toContain(
      'Exercițiul „(necunoscut)” a fost livrat (totul era deja încărcat de dinainte).',
    );
  });

  it("lists the picture and sound check's warnings in the report language, refusals only among the problems", () => {
    const done = {
      ...nothing('squat'),
      status: 'done' as const,
      findings: [
        {
          kind: 'black' as const,
          file: 'Intro.mp4',
          atSeconds: 0,
          untilSeconds: 3.2,
          action: 'warn' as const,
        },
        { kind: 'silent' as const, file: 'Stanga.mp3', atSeconds: 0, action: 'refuse' as const },
      ],
    };
    const english = formatReport(done, 'en');
    expect(english).toContain(
      'Picture and sound check, worth fixing (1):\n  Intro.mp4: black picture from 0.0 s to 3.2 s — trim the black start or re-export the clip',
    );
    expect(english).not.toContain('Stanga.mp3');
    expect(formatReport(done, 'ro')).toContain(
      'Verificarea imaginii și a sunetului, de corectat data viitoare (1):\n  Intro.mp4: imagine neagră de la 0,0 s la 3,2 s — tăiați începutul negru sau exportați clipul din nou',
    );
  });
});
