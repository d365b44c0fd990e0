import { FILE_KINDS, type AgentRule, type Naming } from './agent-config.js';
import { foldWord } from './agent-config.js';

/** A rule and how a plan names it: `regex #3` or `rep-left (words: stanga)`. */
export interface LabelledRule {
  rule: AgentRule;
  label: string;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A word as a pattern: its spaces match any run of spaces in a name. */
function wordPattern(word: string): string {
  return foldWord(word).split(' ').map(escapeRegex).join('\\s+');
}

/**
 * ` v2` or ` (2)`: one optional group for all markers. A marker that starts with a letter or digit
 * must be set apart by a space (`Stanga v2`, not `Stangav2`); one that starts otherwise may follow
 * directly (`Intro(2)`).
 */
function variantPattern(markers: readonly string[]): string {
  if (markers.length === 0) return '';
  const befores = new Set<string>();
  const afters = new Set<string>();
  for (const marker of markers) {
    const [before = '', after = ''] = foldWord(marker).split('{n}');
    const gap = before === '' || /^[\p{L}\p{N}]/u.test(before) ? '\\s+' : '\\s*';
    befores.add(`${gap}${escapeRegex(before)}`);
    afters.add(escapeRegex(after));
  }
  const after = [...afters].filter((text) => text !== '');
  const closing = after.length === 0 ? '' : `(?:${after.join('|')})?`;
  return `(?:(?:${[...befores].join('|')})(?<variant>\\d+)${closing})?`;
}

function languagePattern(languages: readonly string[]): string {
  if (languages.length === 0) return '';
  return `(?:\\s+(?<language>${languages.map((code) => escapeRegex(foldWord(code))).join('|')}))?`;
}

/**
 * The keyword form compiled to ordinary rules: per word and kind, the word as the last word of the
 * name (at its start or after a non-letter), then an optional language marker, an optional variant
 * marker and one of the kind's extensions. Names are compared lowercase and without diacritics.
 */
export function namingRules(naming: Naming | null): LabelledRule[] {
  if (naming === null) return [];
  const tail = `${languagePattern(naming.languages)}${variantPattern(naming.variants)}`;
  const out: LabelledRule[] = [];
  for (const [slot, words] of Object.entries(naming.words) as [AgentRule['slot'], string[] | undefined][]) {
    for (const word of words ?? []) {
      for (const kind of FILE_KINDS) {
        const extensions = naming.extensions[kind].map(escapeRegex).join('|');
        out.push({
          rule: {
            match: `(?:^|[^\\p{L}])${wordPattern(word)}${tail}\\.(?:${extensions})$`,
            slot,
            kind,
            caseSensitive: false,
            diacriticSensitive: false,
          },
          label: `${slot} (words: ${word})`,
        });
      }
    }
  }
  return out;
}
