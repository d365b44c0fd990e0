import type { IngestResult } from '../ingest/types.js';
import type { RefusalReason } from '../plan/refusal.js';
import { qcMessage } from '../qc/messages.js';
import { visibleText } from './visibleText.js';

function section(title: string, lines: readonly string[]): string[] {
  if (lines.length === 0) return [];
  return [`${title} (${lines.length}):`, ...lines.map((line) => `  ${line}`), ''];
}

function numbered(reasons: readonly RefusalReason[]): string[] {
  return reasons.flatMap((reason, index) => [
    `${index + 1}. ${reason.file === undefined ? 'The folder as a whole' : `File: ${reason.file}`}`,
    `   Problem: ${reason.problem}`,
    `   How to fix: ${reason.fix}`,
    '',
  ]);
}

/**
 * The picture and sound check's warnings, one line each with file, second, problem and fix (its
 * refusals are among the numbered problems already).
 */
function qcWarnings(result: IngestResult): string[] {
  const warnings = (result.findings ?? []).filter((finding) => finding.action === 'warn');
  return section(
    'Picture and sound check, worth fixing',
    warnings.map((finding) => qcMessage(finding, 'en')),
  );
}

/** Full keys are long and all share the prefix; the team recognises the short name. */
function shortKey(key: string, exercise: string | null): string {
  const prefix = exercise === null ? '' : `${exercise}/`;
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}

/**
 * The `_REPORT.txt` left for the filming team, in their terms: file names as they delivered them,
 * what happened to each, and for a refusal every problem with how to fix it. Plain text, CRLF-free
 * on purpose (every editor on the share's clients reads LF); control characters in names are shown
 * escaped (visibleText).
 */
export function formatReport(result: IngestResult): string {
  const exercise = result.exercise ?? '(unknown)';
  const lines: string[] = [];
  if (result.status === 'refused' || result.status === 'deferred') {
    lines.push(
      result.status === 'refused'
        ? `This delivery was NOT accepted. Nothing was uploaded for exercise "${exercise}".`
        : `This delivery is still being copied. Nothing was uploaded for exercise "${exercise}" yet.`,
      result.status === 'refused'
        ? 'Fix the problems below. The agent looks at the folder again as soon as something in it changes.'
        : 'The agent tries again once the files stop changing.',
      '',
      ...numbered(result.rejected),
      ...qcWarnings(result),
    );
  } else {
    lines.push(
      `Exercise "${exercise}" was delivered${result.uploaded.length === 0 ? ' (the bucket already had all of it)' : ''}.`,
      '',
      ...section(
        'Renamed',
        result.renamed.map((file) => `${file.from}  ->  ${file.to}`),
      ),
      ...section(
        'Voice-over taken from the video',
        result.extracted.map((file) => `${file.from}  ->  ${file.to}`),
      ),
      ...section('Re-encoded', result.transcoded),
      ...section('Uploaded', result.uploaded.map((key) => shortKey(key, result.exercise)).sort()),
      ...section(
        'Already up to date (skipped)',
        result.skipped.map((key) => shortKey(key, result.exercise)).sort(),
      ),
      ...section('Ignored', result.ignored),
    );
    if (result.warnings.length > 0) lines.push('Worth fixing next time:', '', ...numbered(result.warnings));
    lines.push(...qcWarnings(result));
  }
  // Each entry is one line; a name with a newline in it must not make it two.
  return `${lines.map(visibleText).join('\n').trimEnd()}\n`;
}
