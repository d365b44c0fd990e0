import type { JournalEntry } from '../journal/journal.js';
import type { PreviewNotice } from './preview-notice.js';

/** A journalled delivery whose `_REPORT.txt` gets the notice's line. */
export interface NoticeTarget {
  folder: string;
  /** Where the report is now (inside `processed/…` once the folder was moved). */
  report: string;
}

export type NoticeMatch =
  /** Write the line into each of these reports (at least one). */
  | { outcome: 'deliveries'; targets: NoticeTarget[] }
  /** A delivery of this exercise synced but is still being reported: ask again shortly. */
  | { outcome: 'not-yet' }
  /** No delivery this agent synced is concerned. */
  | { outcome: 'none' };

interface Journalled {
  entry: JournalEntry;
  writtenAt: Date;
}

interface ReportedResult {
  fingerprint?: unknown;
  report?: unknown;
  status?: unknown;
}

/** States in which the bundle is in the bucket but the team has not been told yet. */
const REPORTING_SOON = new Set<JournalEntry['state']>(['synced', 'reporting']);

/**
 * Which deliveries a preview notice is about. A delivery qualifies when its journal entry is `done`
 * (synced and reported), it synced the notice's exercise, and it still has a report:
 *
 * - the notice carries the bundle fingerprint of the asset version it rendered (the consumer sends
 *   it): every delivery whose sync ended with that same fingerprint — so a delivery whose bundle
 *   was replaced by a newer one never gets the newer preview's line, and a late notice of an older
 *   version never reaches the newer delivery;
 * - it carries none (an older consumer, or a render finishing after its version was superseded):
 *   only the delivery of that exercise reported last, the best guess there is.
 *
 * A delivery of the exercise that synced but is not reported yet makes the answer `not-yet` when
 * nothing else matched, so the notice is kept and asked about again once the report exists.
 */
export function deliveriesFor(notice: PreviewNotice, journal: readonly Journalled[]): NoticeMatch {
  const ofExercise = journal.filter(({ entry }) => entry.exercise === notice.exercise);
  const reported = ofExercise
    .filter(({ entry }) => entry.state === 'done')
    .map(({ entry, writtenAt }) => ({ entry, writtenAt, result: (entry.result ?? {}) as ReportedResult }))
    .filter(({ result }) => result.status === 'done' && typeof result.report === 'string');
  const matching =
    notice.fingerprint === undefined
      ? reported.sort((a, b) => b.writtenAt.getTime() - a.writtenAt.getTime()).slice(0, 1)
      : reported.filter(({ result }) => result.fingerprint === notice.fingerprint);
  if (matching.length > 0) {
    return {
      outcome: 'deliveries',
      targets: matching.map(({ entry, result }) => ({
        folder: entry.folder,
        report: result.report as string,
      })),
    };
  }
  if (ofExercise.some(({ entry }) => REPORTING_SOON.has(entry.state))) return { outcome: 'not-yet' };
  return { outcome: 'none' };
}
