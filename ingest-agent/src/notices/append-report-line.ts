import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export type AppendOutcome = 'appended' | 'present' | 'missing';

/**
 * Adds `line` at the end of a report unless the report already has exactly that line (a notice
 * delivered twice adds it once). The new text goes to a temp file beside the report and is renamed
 * over it, so a reader on the share sees the old report or the new one, never half a line.
 * `missing` when the report is gone (the team moved or deleted the folder); other failures throw.
 */
export async function appendReportLine(report: string, line: string): Promise<AppendOutcome> {
  let text: string;
  try {
    text = await readFile(report, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  if (text.split(/\r?\n/).includes(line)) return 'present';
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  const temp = join(dirname(report), `.${basename(report)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, `${text}${separator}${line}\n`);
    await rename(temp, report);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  return 'appended';
}
