import { defineCommand, EXIT, exercisePrefix } from '@exercise-pipeline/shared';
import { planDelivery } from '../ingest/plan-delivery.js';
import { readAgentConfig } from './agent-settings.js';
import { folderArgument } from './folder-argument.js';
import { listSection, reasonLines, reportFailure, writeLines } from './output.js';

export const PLAN_USAGE = `usage: exercise-agent plan <folder> [--config F] [--json]

Shows what an ingest of the delivery folder would rename, extract and upload. Reads only.
  --config F   agent config file (default: built-in rules, see ingest-agent/config/)
  --json       print {exercise, renames, extractions, uploads, ignored, manifest, refusals} on stdout
Each rename names the rule that matched it: "rep-left (words: stanga)" or "regex #3" (the third of "rules").
Exit: 0 the delivery can be ingested, 2 it would be refused (reasons listed), 1 failure.
`;

export const planCommand = defineCommand({
  summary: 'show what an ingest would rename, extract and upload (reads only)',
  usage: PLAN_USAGE,
  flags: { config: { type: 'string', value: 'F' } },
  json: true,
  async run(context) {
    const folder = await folderArgument(context);
    if (typeof folder === 'number') return folder;
    try {
      const config = await readAgentConfig(context.flags.config);
      const plan = await planDelivery(folder, config);
      const prefix = plan.exercise === null ? '' : exercisePrefix(plan.exercise);
      const document = {
        exercise: plan.exercise,
        folder: plan.folder,
        renames: plan.renames.map((r) => ({
          from: r.source,
          to: r.target,
          convert: r.convert,
          rule: r.rule,
        })),
        extractions: plan.extractions.map((e) => ({ from: e.source, to: e.target })),
        uploads: plan.exercise === null ? [] : plan.uploads.map((key) => prefix + key),
        ignored: plan.ignored,
        manifest: plan.manifest,
        refusals: plan.refusals,
      };
      if (context.json) context.writeJson(document);
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
        writeLines(context.io.stdout, lines);
      }
      return plan.refusals.length > 0 ? EXIT.refused : EXIT.done;
    } catch (error) {
      return reportFailure(context.io.stderr, error, context.json ? context.io.stdout : undefined);
    }
  },
});
