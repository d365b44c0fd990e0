import { stat } from 'node:fs/promises';
import { defineCommand, EXIT } from '@exercise-pipeline/shared';
import { validateBundleDir } from '../validate/validate-bundle-dir.js';
import { folderArgument } from './folder-argument.js';
import { reasonLines, reportFailure, writeLines } from './output.js';

export const VALIDATE_USAGE = `usage: exercise-agent validate <bundle-dir> [--json]

Checks a hand-made convention bundle (manifest.json, {slot}-video-{n}.mp4, audio/{lang}/{slot}-vo-{n}.mp3)
the way an ingest checks a staged one. Reads only.
  --json   print {dir, exercise, ok, files, reasons, warnings} on stdout
Exit: 0 valid, 2 invalid (reasons listed), 1 failure.
`;

export const validateCommand = defineCommand({
  summary: 'check a hand-made convention bundle directory (reads only)',
  usage: VALIDATE_USAGE,
  flags: {},
  json: true,
  async run(context) {
    const dir = await folderArgument(context, {
      one: 'one folder',
      missing: 'the bundle directory is missing',
      problem: async (path) => {
        const info = await stat(path).catch(() => null);
        return info?.isDirectory() ? null : `${path} is not a directory; pass the bundle directory`;
      },
    });
    if (typeof dir === 'number') return dir;
    try {
      const result = await validateBundleDir(dir);
      if (context.json) context.writeJson(result);
      else {
        const lines = result.ok
          ? [`Bundle "${result.exercise}" is valid (${result.files.length} files).`]
          : [`Bundle ${result.dir} is invalid:`, ...reasonLines(result.reasons)];
        if (result.warnings.length > 0) lines.push('Warnings:', ...reasonLines(result.warnings));
        writeLines(context.io.stdout, lines);
      }
      return result.ok ? EXIT.done : EXIT.refused;
    } catch (error) {
      return reportFailure(context.io.stderr, error, context.json ? context.io.stdout : undefined);
    }
  },
});
