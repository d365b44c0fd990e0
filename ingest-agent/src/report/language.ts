/**
 * The languages the agent writes what the filming team reads in (`_REPORT.txt`, refusal reasons,
 * the outcome summary). Operator-facing text — logs, CLI output, EventBridge event details — is
 * always English. Every team-facing text exists in each of these.
 */
export const REPORT_LANGUAGES = ['ro', 'en'] as const;

export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

/** The schema default when the config names none; the shipped config sets "ro". */
export const DEFAULT_REPORT_LANGUAGE: ReportLanguage = 'en';

/** A word or phrase given in every report language, for a parameter that itself needs translating. */
export type Translated = Readonly<Record<ReportLanguage, string>>;

/** A decimal with a fixed number of digits as each language writes it: `2.5` in English, `2,5` in Romanian. */
export function decimal(value: number, digits: number): Translated {
  const text = value.toFixed(digits);
  return { en: text, ro: text.replace('.', ',') };
}
