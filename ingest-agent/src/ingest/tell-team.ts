import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '@exercise-pipeline/shared';
import { REPORT_FILE_NAME } from './scan-delivery.js';
import type { IngestResult } from './types.js';
import type { AgentConfig } from '../rules/agent-config.js';
import { formatReport } from '../report/format-report.js';

/** Folders next to the deliveries, inside the drop folder; the watcher never treats them as deliveries. */
export const PROCESSED_DIR = 'processed';
export const REJECTED_DIR = 'rejected';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** `processed/001 Squat`, or `processed/001 Squat (2)` when an earlier delivery of that name is there. */
async function freeName(parent: string, name: string): Promise<string> {
  for (let n = 1; ; n += 1) {
    const candidate = join(parent, n === 1 ? name : `${name} (${n})`);
    if (!(await exists(candidate))) return candidate;
  }
}

/** Moves a delivery folder into `{drop}/{into}/`; returns where it went. */
async function moveDelivery(folder: string, into: string): Promise<string> {
  const parent = join(dirname(folder), into);
  await mkdir(parent, { recursive: true });
  const target = await freeName(parent, basename(folder));
  await rename(folder, target);
  return target;
}

export interface TellTeamOutcome {
  report: string | null;
  movedTo: string | null;
}

/**
 * Leaves `_REPORT.txt` in the delivery folder and moves the folder as the config says: to
 * `processed/` after success (unless `onSuccess: "leave"`), to `rejected/` after a refusal when
 * `onRefusal: "move"`. A read-only share must not turn a finished upload into a failure, so
 * problems here are logged and reported as "not written / not moved". The report is in
 * `config.reportLanguage`.
 */
export async function tellTeam(
  result: IngestResult,
  config: Pick<AgentConfig, 'onSuccess' | 'onRefusal' | 'reportLanguage'>,
  logger?: Pick<Logger, 'warn'>,
): Promise<TellTeamOutcome> {
  const folder = result.delivery;
  let report: string | null = join(folder, REPORT_FILE_NAME);
  try {
    await writeFile(report, formatReport(result, config.reportLanguage));
  } catch (error) {
    logger?.warn({ err: error, folder }, 'cannot write the report into the delivery folder');
    report = null;
  }
  const move =
    (result.status === 'done' && config.onSuccess === 'move') ||
    (result.status === 'refused' && config.onRefusal === 'move');
  if (!move) return { report, movedTo: null };
  try {
    const movedTo = await moveDelivery(folder, result.status === 'done' ? PROCESSED_DIR : REJECTED_DIR);
    return { report: report === null ? null : join(movedTo, REPORT_FILE_NAME), movedTo };
  } catch (error) {
    logger?.warn({ err: error, folder }, 'cannot move the delivery folder; it stays where it is');
    return { report, movedTo: null };
  }
}
