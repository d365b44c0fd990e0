import type { Slot } from '@exercise-pipeline/shared';
import type { AgentRule, FileKind, Naming } from './agent-config.js';
import { type LabelledRule, namingRules } from './naming-rules.js';
import { normalizeName, stripDiacritics } from './normalize-name.js';

export interface CompiledRule {
  /** Position in the compiled list: the config's `rules` first, then those made from `naming`. */
  index: number;
  /** How a plan names the rule: `regex #3` (the third of `rules`) or `rep-left (words: stanga)`. */
  label: string;
  rule: AgentRule;
  regex: RegExp;
}

/**
 * What a raw file name means. `variant` and `language` are as captured: the planner checks them
 * (a captured `0` or `xx-yy-zz` is refused there with the file named, not silently clamped).
 */
export interface FileMatch {
  ruleIndex: number;
  /** The matching rule's label (CompiledRule.label). */
  rule: string;
  slot: Slot;
  kind: FileKind;
  variant: number;
  language: string;
  /** The delivered extension, lowercase and without the dot (`MP4` → `mp4`); empty when none. */
  ext: string;
}

/**
 * Compiles the rules once per delivery: the config's regular expressions (`rules`) in order, then
 * the keyword form (`naming`) turned into the same kind of rule. The expression gets the same
 * folding as the names it is tested against, so a rule written `Stânga` still matches `stanga`
 * when diacritics are ignored.
 */
export function compileRules(rules: readonly AgentRule[], naming: Naming | null = null): CompiledRule[] {
  const labelled: LabelledRule[] = [
    ...rules.map((rule, index) => ({ rule, label: `regex #${index + 1}` })),
    ...namingRules(naming),
  ];
  return labelled.map(({ rule, label }, index) => {
    const source = rule.diacriticSensitive ? rule.match.normalize('NFC') : stripDiacritics(rule.match);
    return { index, label, rule, regex: new RegExp(source, rule.caseSensitive ? 'u' : 'iu') };
  });
}

/** Captured languages are folded to lowercase with the name; restore the `pt-BR` form. */
function canonicalLanguage(raw: string): string {
  const [language = '', ...subtags] = raw.split(/[-_]/);
  const rest = subtags.map((tag) => {
    if (tag.length === 2) return tag.toUpperCase();
    if (tag.length === 4) return `${tag[0]?.toUpperCase()}${tag.slice(1).toLowerCase()}`;
    return tag;
  });
  return [language.toLowerCase(), ...rest].join('-');
}

export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
}

/**
 * The first rule that matches a file's base name decides its slot, kind, variant and language;
 * null when no rule matches. A variant group that did not take part in the match (no ` v2`
 * suffix) leaves the rule's fixed variant, else 1.
 */
export function matchFileName(
  fileName: string,
  rules: readonly CompiledRule[],
  defaultLanguage: string,
): FileMatch | null {
  for (const { index, label, rule, regex } of rules) {
    const name = normalizeName(fileName, rule);
    const found = regex.exec(name);
    if (!found) continue;
    const groups = found.groups ?? {};
    const variant = groups.variant !== undefined ? Number(groups.variant) : (rule.variant ?? 1);
    const language =
      groups.language !== undefined ? canonicalLanguage(groups.language) : (rule.language ?? defaultLanguage);
    return {
      ruleIndex: index,
      rule: label,
      slot: rule.slot,
      kind: rule.kind,
      variant,
      language,
      ext: extensionOf(fileName),
    };
  }
  return null;
}
