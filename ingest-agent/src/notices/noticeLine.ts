import { visibleText } from '../report/visibleText.js';
import type { PreviewNotice } from './previewNotice.js';

/** The languages a `_REPORT.txt` is written in. */
export type ReportLanguage = 'en' | 'ro';

/** Longest technical detail quoted from a failure; the operators' tools have the whole message. */
const DETAIL_CHARS = 160;

/** The first line of the consumer's error, shortened, with any control character made visible. */
function detailOf(error: string): string {
  const first = (error.split(/\r?\n/)[0] ?? '').trim();
  const short = first.length > DETAIL_CHARS ? `${first.slice(0, DETAIL_CHARS - 1)}…` : first;
  return visibleText(short);
}

const TEXT = {
  en: {
    ready: (link: string) => `Preview ready: ${link}`,
    readyWithoutLink: (exercise: string) =>
      `Preview ready: open the status page and play the newest render of "${exercise}"`,
    failed: (exercise: string, language: string | undefined, detail: string) =>
      `Preview failed: the ${language === undefined ? '' : `${language} `}preview of "${exercise}" could not be made (${detail}). The pipeline tries again by itself; if no "Preview ready" line follows, tell the operators.`,
  },
  ro: {
    ready: (link: string) => `Previzualizare gata: ${link}`,
    readyWithoutLink: (exercise: string) =>
      `Previzualizare gata: deschideți pagina de stare și redați cea mai nouă randare pentru „${exercise}”`,
    failed: (exercise: string, language: string | undefined, detail: string) =>
      `Previzualizarea a eșuat: previzualizarea ${language === undefined ? '' : `în limba ${language} `}pentru „${exercise}” nu a putut fi realizată (${detail}). Sistemul reîncearcă singur; dacă nu urmează un rând „Previzualizare gata”, anunțați operatorii.`,
  },
} as const;

/**
 * The one line a preview notice adds to a delivery's `_REPORT.txt`, in the report's language
 * (default English): `Preview ready: <link>` / `Previzualizare gata: <link>`, or a failure line with
 * the reason in plain words and the consumer's message in brackets. Always a single line: the
 * link and the message are the consumer's data, so control characters are shown escaped.
 */
export function noticeLine(notice: PreviewNotice, language: ReportLanguage = 'en'): string {
  const text = TEXT[language];
  const exercise = visibleText(notice.exercise);
  if (notice.kind === 'ready') {
    return notice.link === undefined ? text.readyWithoutLink(exercise) : text.ready(visibleText(notice.link));
  }
  return text.failed(exercise, notice.language, detailOf(notice.error));
}
