import { ConfigError, EXIT, PipelineError } from '@exercise-pipeline/shared';
import type { RefusalReason } from '../plan/refusal.js';
import { visibleText } from '../report/visible-text.js';

/** `--json`: exactly one document on stdout. */
export function writeJson(stream: NodeJS.WritableStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

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
 * pipeline errors carry their code so operators can search for it.
 */
export function reportFailure(stderr: NodeJS.WritableStream, error: unknown): number {
  // Messages name paths from the drop share; a newline in one must not split the line.
  // Config problems are listed one per line on purpose, and name the operator's own file.
  if (error instanceof ConfigError || (error as { code?: unknown }).code === 'AGENT_CONFIG_INVALID')
    stderr.write(`${(error as Error).message}\n`);
  else if (error instanceof PipelineError)
    stderr.write(`error ${error.code}: ${visibleText(error.message)}\n`);
  else if (error instanceof Error) stderr.write(`error: ${visibleText(error.message)}\n`);
  else stderr.write(`error: ${visibleText(String(error))}\n`);
  return EXIT.failure;
}

export function usageError(stderr: NodeJS.WritableStream, problem: string, usage: string): number {
  stderr.write(`${visibleText(problem)}\n\n${usage}`);
  return EXIT.refused;
}
