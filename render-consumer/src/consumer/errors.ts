import { PipelineError } from '@exercise-pipeline/shared';

/** Codes of errors that retrying cannot fix: the message goes to the dead-letter queue at once. */
const PERMANENT_CODES = new Set([
  'MANIFEST_INVALID',
  'RECIPE_INVALID',
  'MESSAGE_INVALID',
  'KEY_PART_INVALID',
  'EXERCISE_NOT_COMPOSABLE',
  // A bundle object that is not the container its name promises (see compose/execute.ts).
  'MEDIA_CONTAINER_REFUSED',
]);

/**
 * Whether an error is worth another try. Pipeline errors say so through their code; everything else
 * (S3, SQS, the database, ffmpeg, Bunny, the network) is assumed transient, so the redrive policy,
 * not a guess, decides when to give up.
 */
export function isPermanentFailure(error: unknown): boolean {
  return error instanceof PipelineError && PERMANENT_CODES.has(error.code) && !error.retryable;
}

/** One line for the operator: the error's own message, with its cause when that adds something. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = error instanceof PipelineError ? `${error.code}: ` : '';
  const cause =
    error.cause instanceof Error && !error.message.includes(error.cause.message)
      ? ` (${error.cause.message})`
      : '';
  return `${code}${error.message}${cause}`.slice(0, 2000);
}
