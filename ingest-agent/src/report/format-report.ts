import { type RefusalReason, reasonIn } from '../plan/refusal.js';
import type { QcFinding } from '../qc/findings.js';
import { qcMessage, qcSectionTitle } from '../qc/messages.js';
import type { ReportLanguage } from './language.js';
import { line } from './messages.js';
import { visibleText } from './visible-text.js';

/** A delivered file and the bundle key it became (relative to the exercise prefix). */
export interface ReportedRename {
  from: string;
  to: string;
}

/** What the team's report says, as plain data: the outcome and the lists behind it. */
export interface ReportInput {
  /** `refused` and `deferred` list problems; anything else (`done`, `dry-run`) reports a delivery. */
  status: string;
  /** The exercise slug; null when it could not be decided. */
  exercise: string | null;
  renamed: readonly ReportedRename[];
  /** Framing voice-overs cut out of framing videos. */
  extracted: readonly ReportedRename[];
  transcoded: readonly string[];
  /** Full S3 keys uploaded, and already there with the same content. */
  uploaded: readonly string[];
  skipped: readonly string[];
  ignored: readonly string[];
  /** Why the delivery was refused or deferred. */
  rejected: readonly RefusalReason[];
  /** Accepted, but worth fixing. */
  warnings: readonly RefusalReason[];
  /** The picture and sound check's findings; only warnings get their own section. */
  findings?: readonly QcFinding[];
}

/** `Uploaded (3):` and the entries indented below it; nothing when there are none. */
export function section(title: string, entries: readonly string[]): string[] {
  if (entries.length === 0) return [];
  return [`${title} (${entries.length}):`, ...entries.map((entry) => `  ${entry}`), ''];
}

/** Reasons as numbered entries of three lines: where, what is wrong, what to do. */
export function numbered(reasons: readonly RefusalReason[], language: ReportLanguage): string[] {
  return reasons.flatMap((reason, index) => {
    const { problem, fix } = reasonIn(reason, language);
    return [
      `${index + 1}. ${reason.file === undefined ? line(language, 'report.reason.folder') : line(language, 'report.reason.file', { file: reason.file })}`,
      `   ${line(language, 'report.reason.problem', { problem })}`,
      `   ${line(language, 'report.reason.fix', { fix })}`,
      '',
    ];
  });
}

/**
 * The picture and sound check's warnings, one line each with file, second, problem and fix (its
 * refusals are among the numbered problems already).
 */
function qcWarnings(result: ReportInput, language: ReportLanguage): string[] {
  const warnings = (result.findings ?? []).filter((finding) => finding.action === 'warn');
  return section(
    qcSectionTitle(language),
    warnings.map((finding) => qcMessage(finding, language)),
  );
}

/** Full keys are long and all share the prefix; the team recognises the short name. */
function shortKey(key: string, exercise: string | null): string {
  const prefix = exercise === null ? '' : `${exercise}/`;
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}

/**
 * The `_REPORT.txt` left for the filming team, in their terms and in the config's `reportLanguage`:
 * file names as they delivered them, what happened to each, and for a refusal every problem with
 * how to fix it. Plain text, CRLF-free on purpose (every editor on the share's clients reads LF);
 * control characters in names are shown escaped (visibleText).
 */
export function formatReport(result: ReportInput, language: ReportLanguage): string {
  const exercise = result.exercise ?? line(language, 'report.unknownExercise');
  const lines: string[] = [];
  if (result.status === 'refused' || result.status === 'deferred') {
    const refused = result.status === 'refused';
    lines.push(
      line(language, refused ? 'report.refused.title' : 'report.deferred.title', { exercise }),
      line(language, refused ? 'report.refused.next' : 'report.deferred.next'),
      '',
      ...numbered(result.rejected, language),
      ...qcWarnings(result, language),
    );
  } else {
    const pairs = (files: readonly ReportedRename[]) => files.map((file) => `${file.from}  ->  ${file.to}`);
    const keys = (all: readonly string[]) => all.map((key) => shortKey(key, result.exercise)).sort();
    lines.push(
      line(language, result.uploaded.length === 0 ? 'report.done.titleUnchanged' : 'report.done.title', {
        exercise,
      }),
      '',
      ...section(line(language, 'report.section.renamed'), pairs(result.renamed)),
      ...section(line(language, 'report.section.extracted'), pairs(result.extracted)),
      ...section(line(language, 'report.section.transcoded'), result.transcoded),
      ...section(line(language, 'report.section.uploaded'), keys(result.uploaded)),
      ...section(line(language, 'report.section.skipped'), keys(result.skipped)),
      ...section(line(language, 'report.section.ignored'), result.ignored),
    );
    if (result.warnings.length > 0)
      lines.push(line(language, 'report.warnings'), '', ...numbered(result.warnings, language));
    lines.push(...qcWarnings(result, language));
  }
  // Each entry is one line; a name with a newline in it must not make it two.
  return `${lines.map(visibleText).join('\n').trimEnd()}\n`;
}
