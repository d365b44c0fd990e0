import { describe, expect, it } from 'vitest';
import { refusal } from '../plan/refusal.js';
import { REPORT_LANGUAGES } from './language.js';
import { line, MESSAGE_TABLES, placeholdersOf, refusalText } from './messages.js';

/** Every text of a table entry, per language: a line is one text, a refusal two. */
function textsOf(entry: Record<string, unknown>, language: string): string[] {
  const value = entry[language];
  return typeof value === 'string' ? [value] : Object.values(value as Record<string, string>);
}

const ENTRIES = [...Object.entries(MESSAGE_TABLES.lines), ...Object.entries(MESSAGE_TABLES.refusals)];

describe('the report message tables', () => {
  it.each(ENTRIES)('%s exists in every report language with the same placeholders', (_key, entry) => {
    expect(Object.keys(entry).sort()).toEqual([...REPORT_LANGUAGES].sort());
    const english = textsOf(entry, 'en');
    for (const language of REPORT_LANGUAGES) {
      const texts = textsOf(entry, language);
      expect(texts).toHaveLength(english.length);
      texts.forEach((text, index) => {
        expect(text.trim(), `${language} text ${index}`).not.toBe('');
        expect(placeholdersOf(text)).toEqual(placeholdersOf(english[index] ?? ''));
      });
    }
  });

  it('writes Romanian with its own letters, not the cedilla look-alikes or plain ASCII', () => {
    const romanian = ENTRIES.flatMap(([, entry]) => textsOf(entry, 'ro')).join('\n');
    expect(romanian).not.toMatch(/[şţŞŢ]/u);
    expect(romanian).toMatch(/ș/u);
    expect(romanian).toMatch(/ț/u);
    expect(romanian).toMatch(/ă/u);
    expect(romanian).toMatch(/î/u);
    expect(romanian).toMatch(/â/u);
  });

  it('fills placeholders, lists joined with the language’s "or" and words given per language', () => {
    expect(line('ro', 'report.done.title', { exercise: 'squat-wall' })).toBe(
      'Exercițiul „squat-wall” a fost livrat.',
    );
    const reason = refusal(
      'containerNotAccepted',
      {
        ext: 'mov',
        kinds: { en: 'videos', ro: 'videoclipurile' },
        allowed: ['.mp4', '.m4v'],
        container: 'mp4',
      },
      'a.mov',
    );
    expect(reason).toMatchObject({
      file: 'a.mov',
      problem: '.mov files are not accepted; videos must be .mp4 or .m4v',
      fix: 'Export it again as .mp4',
    });
    expect(refusalText('ro', reason.text!)).toEqual({
      problem: 'fișierele .mov nu sunt acceptate; videoclipurile trebuie să fie .mp4 sau .m4v',
      fix: 'Exportați-l din nou ca .mp4',
    });
  });
});
