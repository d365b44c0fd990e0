/**
 * File names reach the agent composed (`â` as one code point, Windows and Linux) or decomposed
 * (`a` + combining circumflex, as macOS writes them). Rules must not care which.
 */

export interface NormalizeOptions {
  /** Keep upper/lower case distinct. Default false. */
  caseSensitive?: boolean;
  /** Keep `â` distinct from `a`. Default false. */
  diacriticSensitive?: boolean;
}

/** Removes combining marks after canonical decomposition: `Stânga` → `Stanga`, `Pauză` → `Pauza`. */
export function stripDiacritics(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}

/**
 * The form a rule's regular expression is tested against. Diacritics are stripped before case
 * folding so a decomposed capital (`İ` = `I` + dot) folds to a plain `i`.
 */
export function normalizeName(name: string, options: NormalizeOptions = {}): string {
  let text = name.normalize('NFC');
  if (!options.diacriticSensitive) text = stripDiacritics(text);
  if (!options.caseSensitive) text = text.toLowerCase();
  return text;
}
