/**
 * The flags a command takes, typed, and one parser for every command of both programs. Flags are
 * written `--name value`, `--name=value` or, where a short form is declared, `-n value`; `--`
 * ends the flags. `--help`/`-h` is every command's own and never has to be declared.
 */
export type FlagSpec =
  | { type: 'boolean'; short?: string }
  | {
      type: 'string';
      short?: string;
      value?: string;
      multiple?: false;
      /** The only values accepted, e.g. `['builtin', 'chokidar']`. */
      choices?: readonly string[];
    }
  /** Repeated: every `--name value` is kept, in order. */
  | { type: 'string'; short?: string; value?: string; multiple: true }
  | {
      type: 'number';
      short?: string;
      value?: string;
      /** Default true: only whole numbers. */
      integer?: boolean;
      min?: number;
      max?: number;
      /** Completes "--name expects …" in the refusal, e.g. `whole seconds such as 900`. */
      expects?: string;
    };

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type ValueOf<S extends FlagSpec> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'number' }
    ? number | undefined
    : S extends { multiple: true }
      ? string[]
      : string | undefined;

/** The parsed values, keyed by the flag's name as typed (`dry-run`, `min-age`). */
export type FlagValues<S extends FlagSpecs> = { -readonly [K in keyof S]: ValueOf<S[K]> };

export type ParsedCommandLine<S extends FlagSpecs> =
  | { ok: true; flags: FlagValues<S>; positionals: string[]; help: boolean }
  | {
      ok: false;
      /** One line naming the flag and the fix. */
      problem: string;
      /** The flag at fault, as typed (`--colour`). */
      flag: string;
    };

const HELP = 'help';

class FlagProblem extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(message);
  }
}

function initialValues<S extends FlagSpecs>(specs: S): FlagValues<S> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.type === 'boolean') values[name] = false;
    else if (spec.type === 'string' && spec.multiple === true) values[name] = [];
    else values[name] = undefined;
  }
  return values as FlagValues<S>;
}

/** Edits (insert, delete, replace, swap two neighbours) between two short words. */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** The declared flag a typo most likely meant (`--dryrun` → `--dry-run`), when one is close enough. */
function closest(name: string, names: readonly string[]): string | undefined {
  const squash = (text: string) => text.toLowerCase().replace(/[-_]/g, '');
  const typed = squash(name);
  if (typed.length < 3) return undefined;
  let best: { name: string; edits: number } | undefined;
  for (const candidate of names) {
    const known = squash(candidate);
    const edits = known.startsWith(typed) || typed.startsWith(known) ? 1 : distance(typed, known);
    if (edits <= (known.length > 5 ? 2 : 1) && (best === undefined || edits < best.edits)) {
      best = { name: candidate, edits };
    }
  }
  return best?.name;
}

function unknownFlag(typed: string, name: string, specs: FlagSpecs): FlagProblem {
  const names = Object.keys(specs);
  const guess = closest(name, names);
  const takes =
    names.length === 0 ? 'this command takes no flags' : `it takes ${names.map((n) => `--${n}`).join(', ')}`;
  return new FlagProblem(
    typed,
    guess === undefined
      ? `unknown flag ${typed}: ${takes}; see --help`
      : `unknown flag ${typed} (did you mean --${guess}?); see --help`,
  );
}

function numberValue(name: string, spec: Extract<FlagSpec, { type: 'number' }>, text: string): number {
  const integer = spec.integer ?? true;
  const pattern = integer ? /^-?\d{1,15}$/ : /^-?\d{1,15}(?:\.\d+)?$/;
  const value = pattern.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  const inRange =
    Number.isFinite(value) &&
    (spec.min === undefined || value >= spec.min) &&
    (spec.max === undefined || value <= spec.max);
  if (inRange) return value;
  const range =
    spec.min !== undefined && spec.max !== undefined
      ? ` ${spec.min}-${spec.max}`
      : spec.min !== undefined
        ? ` >= ${spec.min}`
        : spec.max !== undefined
          ? ` <= ${spec.max}`
          : '';
  const expects = spec.expects ?? `${integer ? 'a whole number' : 'a number'}${range}`;
  throw new FlagProblem(`--${name}`, `--${name} expects ${expects}, got ${JSON.stringify(text)}`);
}

function choice(name: string, choices: readonly string[] | undefined, text: string): string {
  if (choices === undefined || choices.includes(text)) return text;
  const listed =
    choices.length === 1
      ? choices[0]
      : `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
  throw new FlagProblem(`--${name}`, `--${name} expects ${listed}, got ${JSON.stringify(text)}`);
}

/**
 * Reads `argv` against the command's flags. Refuses, with one line naming the flag and the fix, an
 * unknown flag (suggesting the one meant when it is close), a flag without its value, a value on a
 * switch, and a number flag whose value is not a number in range. Positionals are returned as
 * given; the command decides how many it takes.
 */
export function parseCommandLine<S extends FlagSpecs>(
  argv: readonly string[],
  specs: S,
): ParsedCommandLine<S> {
  const flags = initialValues(specs);
  const values = flags as Record<string, unknown>;
  const positionals: string[] = [];
  const shorts = new Map(
    Object.entries(specs).flatMap(([name, spec]) => (spec.short === undefined ? [] : [[spec.short, name]])),
  );
  let help = false;
  try {
    for (let index = 0; index < argv.length; index += 1) {
      const arg = argv[index] as string;
      if (arg === '--') {
        positionals.push(...argv.slice(index + 1));
        break;
      }
      let name: string;
      let inline: string | undefined;
      if (arg.startsWith('--')) {
        const equals = arg.indexOf('=');
        name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
        inline = equals === -1 ? undefined : arg.slice(equals + 1);
      } else if (/^-[^-]/.test(arg)) {
        if (arg === '-h') {
          help = true;
          continue;
        }
        const long = arg.length === 2 ? shorts.get(arg.slice(1)) : undefined;
        if (long === undefined) throw unknownFlag(arg, arg.slice(1), specs);
        name = long;
      } else {
        positionals.push(arg);
        continue;
      }
      const typed = `--${name}`;
      const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
      if (spec === undefined) {
        if (name === HELP && inline === undefined) {
          help = true;
          continue;
        }
        throw unknownFlag(typed, name, specs);
      }
      if (spec.type === 'boolean') {
        if (inline !== undefined)
          throw new FlagProblem(typed, `${typed} takes no value: pass ${typed} alone`);
        values[name] = true;
        continue;
      }
      const next = argv[index + 1];
      const text = inline ?? (next === undefined || next.startsWith('--') ? undefined : next);
      if (text === undefined) {
        throw new FlagProblem(
          typed,
          `${typed} needs a value: ${typed} ${spec.value ?? '<value>'}; see --help`,
        );
      }
      if (inline === undefined) index += 1;
      if (spec.type === 'number') values[name] = numberValue(name, spec, text);
      else if (spec.multiple === true) (values[name] as string[]).push(text);
      else values[name] = choice(name, spec.choices, text);
    }
  } catch (error) {
    if (!(error instanceof FlagProblem)) throw error;
    return { ok: false, problem: error.message, flag: error.flag };
  }
  return { ok: true, flags, positionals, help };
}
