import { KeyLocks } from '@exercise-pipeline/shared';

/**
 * One delivery at a time per exercise inside this agent process. A bundle's prefix must only ever
 * hold one delivery's files: two deliveries for one slug (`001 Squat` and `001 Squat (2)`, or two
 * folders mapped to one slug) uploading at once could leave one's videos next to the other's, under
 * a manifest that describes neither. The second one waits for the first to finish its sync, then
 * stages and syncs its own bundle as a whole.
 */
export type ExerciseLocks = KeyLocks;

/** The locks every ingest in this process shares unless it is given its own. */
export const processExerciseLocks: ExerciseLocks = new KeyLocks();
