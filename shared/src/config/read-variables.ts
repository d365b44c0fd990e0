import { ConfigError } from './config-error.js';
import { describeBadValue, type VariableSpec } from './environment-variables.js';

/** Empty or blank counts as unset, so `FOO= pnpm …` and compose files with `FOO:` behave like no FOO. */
export function presentValue(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

type Values<S extends Record<string, VariableSpec<unknown>>> = {
  [K in keyof S]?: NonNullable<ReturnType<S[K]['parse']>>;
};

/**
 * Reads a program's own variables the way loadConfig reads the contract's: blank is unset, each
 * value goes through its spec's parser, and every bad one is named in one ConfigError line
 * (`NAME must be EXPECTS, got "value"`, secrets not shown), in the order the specs list them.
 * Unset variables are absent from the result, so each component keeps its own default.
 */
export function readVariables<S extends Record<string, VariableSpec<unknown>>>(
  env: NodeJS.ProcessEnv,
  specs: S,
): Values<S> {
  const values: Record<string, unknown> = {};
  const problems: { variable: string; message: string }[] = [];
  for (const [variable, spec] of Object.entries(specs)) {
    const text = presentValue(env[variable]);
    if (text === undefined) continue;
    const value = spec.parse(text);
    if (value === undefined) problems.push({ variable, message: describeBadValue(variable, text, spec) });
    else values[variable] = value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Values<S>;
}
