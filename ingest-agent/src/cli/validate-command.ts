import { stat } from 'node:fs/promises';
import { type CliCommand, type CliIo, EXIT } from '@exercise-pipeline/shared';
import { validateBundleDir } from '../validate/validate-bundle-dir.js';
import { parseAgentArgs } from './args.js';
import { reasonLines, reportFailure, usageError, writeJson, writeLines } from './output.js';

export const VALIDATE_USAGE = `usage: exercise-agent validate <bundle-dir> [--json]

Checks a hand-made convention bundle (manifest.json, {slot}-video-{n}.mp4, audio/{lang}/{slot}-vo-{n}.mp3)
the way an ingest checks a staged one. Reads only.
  --json   print {dir, exercise, ok, files, reasons, warnings} on stdout
Exit: 0 valid, 2 invalid (reasons listed), 1 failure.
`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseAgentArgs(argv);
  if (!parsed.ok) return usageError(io.stderr, parsed.problem, VALIDATE_USAGE);
  const { args } = parsed;
  if (args.help) {
    io.stdout.write(VALIDATE_USAGE);
    return EXIT.done;
  }
  if (args.target === undefined)
    return usageError(io.stderr, 'the bundle directory is missing', VALIDATE_USAGE);
  const info = await stat(args.target).catch(() => null);
  if (info === null || !info.isDirectory()) {
    return usageError(
      io.stderr,
      `${args.target} is not a directory; pass the bundle directory`,
      VALIDATE_USAGE,
    );
  }
  try {
    const result = await validateBundleDir(args.target);
    if (args.json) writeJson(io.stdout, result);
    else {
      const lines = result.ok
        ? [`Bundle "${result.exercise}" is valid (${result.files.length} files).`]
        : [`Bundle ${result.dir} is invalid:`, ...reasonLines(result.reasons)];
      if (result.warnings.length > 0) lines.push('Warnings:', ...reasonLines(result.warnings));
      writeLines(io.stdout, lines);
    }
    return result.ok ? EXIT.done : EXIT.refused;
  } catch (error) {
    return reportFailure(io.stderr, error);
  }
}

export const validateCommand: CliCommand = {
  summary: 'check a hand-made convention bundle directory (reads only)',
  run,
};
