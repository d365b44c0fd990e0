import { ConfigError, EXIT, PipelineError, writeJsonError } from '@exercise-pipeline/shared';
import type { RefusalReason } from '../plan/refusal.js';
import { visibleText } from '../report/visible-text.js';

/** Writes text output for people, one entry per line, with control characters in names escaped. */
export function writeLines(stream: NodeJS.WritableStream, lines: readonly string[]): void {
  stream.write(`${lines.map(visibleText).join('\n')}\n`);
}

export function reasonLines(reasons: readonly RefusalReason[]): string[] {
  return reasons.map(
    (reason) =>
      `  - ${reason.file === undefined ? '' : `${reason.file}: `}${reason.problem}. Fix: ${reason.fix}`,
  );
}

export function listSection(title: string, lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : [`${title} (${lines.length}):`, ...lines.map((line) => `  ${line}`)];
}

/**
 * A failure of the agent itself (bad config, S3 refusing access, ffmpeg missing): one readable
 * line on stderr and exit 1. Config problems already name the setting and the fix; other
 * pipeline errors carry their code so operators can search for it. With `--json` (`jsonOut`, the
 * command's stdout) the same failure is also the command's JSON document, `{error: {code, message}}`.
 */
export function reportFailure(
  stderr: NodeJS.WritableStream,
  error: unknown,
  jsonOut?: NodeJS.WritableStream,
): number {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  // Messages name paths from the drop share; a newline in one must not split the line.
  // Config problems are listed one per line on purpose, and name the operator's own file.
  if (error instanceof ConfigError || code === 'AGENT_CONFIG_INVALID') stderr.write(`${message}\n`);
  else if (error instanceof PipelineError) stderr.write(`error ${error.code}: ${visibleText(message)}\n`);
  else stderr.write(`error: ${visibleText(message)}\n`);
  if (jsonOut !== undefined) {
    writeJsonError(jsonOut, { code: typeof code === 'string' ? code : 'FAILED', message });
  }
  return EXIT.failure;
}
