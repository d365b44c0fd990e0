import type { ReportLanguage } from '../report/language.js';
import { type RefusalKey, type RefusalParams, type ReasonText, refusalText } from '../report/messages.js';

/**
 * Why a delivery is refused, in the filming team's terms: the file (relative to the delivery
 * folder) when one is at fault, what is wrong, and what to do about it. `problem` and `fix` are
 * English, the shape of the `reasons` of the "Delivery Refused" event; `text` lets the team's
 * report say the same in the report language (absent only in outcomes journalled before it existed).
 */
export interface RefusalReason {
  file?: string;
  problem: string;
  fix: string;
  text?: ReasonText;
  /**
   * The same reason already worded in every report language, for reasons whose wording lives
   * outside the refusal table (the picture and sound check's findings).
   */
  worded?: Readonly<Record<ReportLanguage, { problem: string; fix: string }>>;
}

/** A refusal reason from the message table: English problem and fix, and the key to translate it. */
export function refusal<K extends RefusalKey>(
  key: K,
  params: RefusalParams<K>,
  file?: string,
): RefusalReason {
  const text: ReasonText = { key, params };
  return { ...(file === undefined ? {} : { file }), ...refusalText('en', text), text };
}

/** A reason's problem and fix in the given language; English as stored when it has no `text`. */
export function reasonIn(reason: RefusalReason, language: ReportLanguage): { problem: string; fix: string } {
  if (reason.text !== undefined) return refusalText(language, reason.text);
  return reason.worded?.[language] ?? { problem: reason.problem, fix: reason.fix };
}

/** The operator's view of a reason (event, CLI): English problem and fix only. */
export function englishReason(reason: RefusalReason): RefusalReason {
  return {
    ...(reason.file === undefined ? {} : { file: reason.file }),
    problem: reason.problem,
    fix: reason.fix,
  };
}
