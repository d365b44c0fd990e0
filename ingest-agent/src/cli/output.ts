import { ConfigError, EXIT, PipelineError } from '@exercise-pipeline/shared';
import type { RefusalReason } from '../plan/refusal.js';

/** `--json`: exactly one document on stdout. */
export function writeJson(stream: NodeJS.WritableStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
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
  if (error instanceof ConfigError) stderr.write(`${error.message}\n`);
  else if (error instanceof PipelineError) stderr.write(`error ${error.code}: ${error.message}\n`);
  else if (error instanceof Error) stderr.write(`error: ${error.message}\n`);
  else stderr.write(`error: ${String(error)}\n`);
  return EXIT.failure;
}

export function usageError(stderr: NodeJS.WritableStream, problem: string, usage: string): number {
  stderr.write(`${problem}\n\n${usage}`);
  return EXIT.refused;
}
