import { stat } from 'node:fs/promises';
import { type CliCommand, type CliIo, EXIT, exercisePrefix } from '@exercise-pipeline/shared';
import { planDelivery } from '../ingest/plan-delivery.js';
import { readAgentConfig } from './agent-settings.js';
import { parseAgentArgs } from './args.js';
import { listSection, reasonLines, reportFailure, usageError, writeJson, writeLines } from './output.js';

export const PLAN_USAGE = `usage: exercise-agent plan <folder> [--config F] [--json]

Shows what an ingest of the delivery folder would rename, extract and upload. Reads only.
  --config F   agent config file (default: built-in rules, see ingest-agent/config/)
  --json       print {exercise, renames, extractions, uploads, ignored, manifest, refusals} on stdout
Each rename names the rule that matched it: "rep-left (words: stanga)" or "regex #3" (the third of "rules").
Exit: 0 the delivery can be ingested, 2 it would be refused (reasons listed), 1 failure.
`;

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

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseAgentArgs(argv, { config: true });
  if (!parsed.ok) return usageError(io.stderr, parsed.problem, PLAN_USAGE);
  const { args } = parsed;
  if (args.help) {
    io.stdout.write(PLAN_USAGE);
    return EXIT.done;
  }
  if (args.target === undefined) return usageError(io.stderr, 'the delivery folder is missing', PLAN_USAGE);
  const missing = await folderProblem(args.target);
  if (missing !== null) return usageError(io.stderr, missing, PLAN_USAGE);
  try {
    const config = await readAgentConfig(args.config);
    const plan = await planDelivery(args.target, config);
    const prefix = plan.exercise === null ? '' : exercisePrefix(plan.exercise);
    const document = {
      exercise: plan.exercise,
      folder: plan.folder,
      renames: plan.renames.map((r) => ({ from: r.source, to: r.target, convert: r.convert, rule: r.rule })),
      extractions: plan.extractions.map((e) => ({ from: e.source, to: e.target })),
      uploads: plan.exercise === null ? [] : plan.uploads.map((key) => prefix + key),
      ignored: plan.ignored,
      manifest: plan.manifest,
      refusals: plan.refusals,
    };
    if (args.json) writeJson(io.stdout, document);
    else {
      const lines = [
        `Exercise: ${plan.exercise ?? '(unknown)'}`,
        ...listSection(
          'Rename',
          document.renames.map(
            (r) => `${r.from}  ->  ${r.to}${r.convert ? ' (re-encoded)' : ''}  [rule: ${r.rule}]`,
          ),
        ),
        ...listSection(
          'Extract voice-over',
          document.extractions.map((e) => `${e.from}  ->  ${e.to}`),
        ),
        ...listSection('Upload', document.uploads),
        ...listSection('Ignore', document.ignored),
        ...(plan.refusals.length > 0 ? ['Would be refused:', ...reasonLines(plan.refusals)] : []),
      ];
      writeLines(io.stdout, lines);
    }
    return plan.refusals.length > 0 ? EXIT.refused : EXIT.done;
  } catch (error) {
    return reportFailure(io.stderr, error);
  }
}

export const planCommand: CliCommand = {
  summary: 'show what an ingest would rename, extract and upload (reads only)',
  run,
};
