import { PipelineError } from '@exercise-pipeline/shared';

/** The catalog has no active exercise of this slug: never synced, or archived since. */
export class ExerciseNotFoundError extends PipelineError {
  readonly exercise: string;

  constructor(exercise: string, reason: 'unknown' | 'archived') {
    const why =
      reason === 'archived'
        ? 'is archived (its bundle was removed from the assets bucket)'
        : 'is not in the catalog';
    super(`exercise "${exercise}" ${why}; sync its bundle with the ingest agent, or check the slug`, {
      code: 'EXERCISE_NOT_FOUND',
    });
    this.exercise = exercise;
  }
}

/** The exercise exists but cannot be composed from a recipe (a duration-based import). */
export class ExerciseNotComposableError extends PipelineError {
  readonly exercise: string;

  constructor(exercise: string) {
    super(
      `exercise "${exercise}" is duration-based (one imported video); only reps-based exercises are composed from a recipe`,
      { code: 'EXERCISE_NOT_COMPOSABLE' },
    );
    this.exercise = exercise;
  }
}

/** Another process rendered this recipe while we waited, and its render failed. */
export class RenderFailedError extends PipelineError {
  readonly renderId: number;

  constructor(renderId: number, error: string | null) {
    super(
      `render ${renderId} failed in another consumer: ${error ?? 'no reason recorded'}; repeat the request to render it again`,
      { code: 'RENDER_FAILED', retryable: true },
    );
    this.renderId = renderId;
  }
}

/** Another process holds the render's lease and did not finish within the wait bound. */
export class RenderWaitTimeoutError extends PipelineError {
  readonly renderId: number;

  constructor(renderId: number, waitedMs: number) {
    super(
      `render ${renderId} is still being rendered by another consumer after ${Math.round(waitedMs / 1000)} s; repeat the request later`,
      { code: 'RENDER_BUSY', retryable: true },
    );
    this.renderId = renderId;
  }
}

/**
 * The render stopped being ours: its asset version was superseded by a newer bundle, or its lease
 * ran out and another consumer took it over. Repeating the request renders the current version.
 */
export class RenderLeaseLostError extends PipelineError {
  readonly renderId: number;

  constructor(renderId: number, detail: string) {
    super(`render ${renderId} ${detail}; repeat the request to render the current asset version`, {
      code: 'RENDER_LEASE_LOST',
      retryable: true,
    });
    this.renderId = renderId;
  }
}
