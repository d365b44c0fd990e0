import { stat } from 'node:fs/promises';
import type { CommandContext, FlagSpecs } from '@exercise-pipeline/shared';
import { visibleText } from '../report/visible-text.js';

/**
 * Why `path` cannot be used as a folder argument, or null when it can. `expected` completes
 * "pass …" when it does not exist; `name` completes "pass the … folder, not a file in it".
 */
export async function folderProblem(
  path: string,
  words: { expected: string; name: string } = { expected: 'the delivery folder', name: 'delivery' },
): Promise<string | null> {
  const info = await stat(path).catch(() => null);
  if (info === null) return `${path} does not exist; pass ${words.expected}`;
  if (!info.isDirectory()) return `${path} is not a folder; pass the ${words.name} folder, not a file in it`;
  return null;
}

export interface FolderWords {
  /** Completes "expected …, got 2": `one folder`. */
  one: string;
  /** The refusal when no folder is given: `the delivery folder is missing`. */
  missing: string;
  /** Why an existing path will not do, or null; default folderProblem for a delivery folder. */
  problem?: (path: string) => Promise<string | null>;
}

/** The words of the commands that work on one delivery folder (`plan`, `ingest`). */
export const DELIVERY_FOLDER_WORDS: FolderWords = {
  one: 'one folder',
  missing: 'the delivery folder is missing',
};

/**
 * The one folder an agent command works on (`plan <folder>`, `watch <drop-dir>` …), or the exit
 * code of the usage error that refused it: more than one (an unquoted name with spaces), none, or
 * one that is not a usable folder.
 */
export async function folderArgument<S extends FlagSpecs>(
  context: CommandContext<S>,
  words: FolderWords = DELIVERY_FOLDER_WORDS,
): Promise<string | number> {
  const { positionals } = context;
  if (positionals.length > 1) {
    const got = positionals.map((p) => JSON.stringify(p)).join(' ');
    return context.usageError(
      visibleText(`expected ${words.one}, got ${positionals.length}: ${got}; quote a name with spaces`),
    );
  }
  const [folder] = positionals;
  if (folder === undefined) return context.usageError(words.missing);
  const problem = await (words.problem ?? folderProblem)(folder);
  return problem === null ? folder : context.usageError(visibleText(problem));
}
