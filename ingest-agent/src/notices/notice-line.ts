import { DEFAULT_REPORT_LANGUAGE, type ReportLanguage } from '../report/language.js';
import { line } from '../report/messages.js';
import { visibleText } from '../report/visible-text.js';
import type { PreviewNotice } from './preview-notice.js';

/** Longest technical detail quoted from a failure; the operators' tools have the whole message. */
const DETAIL_CHARS = 160;

/** The first line of the consumer's error, shortened, with any control character made visible. */
function detailOf(error: string): string {
  const first = (error.split(/\r?\n/)[0] ?? '').trim();
  const short = first.length > DETAIL_CHARS ? `${first.slice(0, DETAIL_CHARS - 1)}…` : first;
  return visibleText(short);
}

/**
 * The one line a preview notice adds to a delivery's `_REPORT.txt`, in the report's language
 * (default English): `Preview ready: <link>` / `Previzualizare gata: <link>`, or a failure line with
 * the reason in plain words and the consumer's message in brackets. Always a single line: the
 * link and the message are the consumer's data, so control characters are shown escaped.
 */
export function noticeLine(
  notice: PreviewNotice,
  language: ReportLanguage = DEFAULT_REPORT_LANGUAGE,
): string {
  const exercise = visibleText(notice.exercise);
  if (notice.kind === 'ready') {
    return notice.link === undefined
      ? line(language, 'preview.readyWithoutLink', { exercise })
      : line(language, 'preview.ready', { link: visibleText(notice.link) });
  }
  const detail = detailOf(notice.error);
  return notice.language === undefined
    ? line(language, 'preview.failedAll', { exercise, detail })
    : line(language, 'preview.failed', { exercise, detail, language: visibleText(notice.language) });
}
