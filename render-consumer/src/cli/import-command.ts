import type { CommandContext, DefinedCommand, FieldIssue } from '@exercise-pipeline/shared';
import { ImportRefusedError, importDurationVideo } from '../ops/import.js';
import { createPublisher } from '../publish/create-publisher.js';
import { opsConfig, opsLogger, type Reporter, withCatalog } from './ops-context.js';
import { defineOpsCommand } from './ops-command.js';

export const IMPORT_USAGE = `usage: exercise-consumer import <mp4> --exercise <slug> --language <l> [--json]

Imports the pre-baked video of a duration-based exercise: publishes it to PUBLISH_TARGET and records
it as the exercise's catalog preview (a render with recipe_hash '_imported'). With the local target it
is ready at once; on Bunny it is 'encoding' until Bunny has transcoded it, and the running consumer
(\`consumer run\`) then makes it the preview. The exercise is created when new and becomes
duration-based; the import it replaces (same language) and any composed renders are superseded and
removed by \`sweep\` after RENDER_GRACE_SECONDS.
  --exercise <slug>   the exercise, e.g. plank-hold
  --language <l>      the video's language, e.g. ro
  --json              print {exercise, render, superseded}
`;

const FLAGS = {
  exercise: { type: 'string', value: '<slug>' },
  language: { type: 'string', value: '<l>' },
} as const;

export function createImportCommand(): DefinedCommand {
  return defineOpsCommand(
    'import',
    {
      summary: "publish a duration-based exercise's pre-baked mp4",
      usage: IMPORT_USAGE,
      flags: FLAGS,
    },
    runImport,
  );
}

async function runImport(
  { flags: values, positionals, io }: CommandContext<typeof FLAGS>,
  report: Reporter,
): Promise<number> {
  const reasons: FieldIssue[] = [];
  if (positionals.length !== 1) reasons.push({ field: 'file', message: 'pass exactly one video file' });
  if (values.exercise === undefined)
    reasons.push({ field: 'exercise', message: 'is required: --exercise <slug>' });
  if (values.language === undefined)
    reasons.push({ field: 'language', message: 'is required: --language <l>' });
  if (reasons.length > 0) return report.refused('import refused the input', reasons);

  const config = opsConfig(io);
  if (typeof config === 'number') return config;
  const logger = opsLogger(io, config.logLevel);
  return withCatalog(
    config,
    report,
    async (db) => {
      const publisher = createPublisher(config, { logger });
      const result = await importDurationVideo({
        db,
        publisher,
        filePath: positionals[0]!,
        exercise: values.exercise!,
        language: values.language!,
        graceSeconds: config.renderGraceSeconds,
      });
      const { exercise, render } = result;
      return report.done(
        result,
        `imported ${positionals[0]} as ${exercise.slug} (${render.language}, v${render.asset_version}, ` +
          `${render.duration_seconds?.toFixed(1)} s, ${render.status}): video ${render.bunny_video_id} ${render.playback_url}` +
          (result.superseded > 0 ? `; ${result.superseded} older render(s) superseded` : ''),
      );
    },
    (error) =>
      error instanceof ImportRefusedError
        ? report.refused('import refused the input', error.reasons)
        : undefined,
  );
}
