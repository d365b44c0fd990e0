/**
 * Characters that must not reach a report or a terminal as themselves: C0 controls (newline,
 * carriage return, tab, escape …), DEL, C1 controls, the Unicode line and paragraph separators,
 * and the bidirectional controls that reorder what a reader sees.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.codePointAt(0) ?? 0;
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u{${code.toString(16).padStart(4, '0')}}`;
}

/**
 * Names are data: a file or folder name from the drop share can hold a newline or an escape
 * sequence. Every line the agent writes for people (`_REPORT.txt`, the CLI's text output, one-line
 * errors) goes through this, so such a name shows as `\n`, `\x1b` … and can neither break a line
 * of the report nor forge one. Everything else, diacritics included, stays as it is.
 */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, escapeOne);
}
