import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  FfmpegError,
  type FieldIssue,
  formatIssues,
  isValidLanguage,
  isValidSlug,
  PipelineError,
  type ProbeResult,
  probeMedia,
} from '@exercise-pipeline/shared';
import type { CatalogDb } from '../catalog/database.js';
import {
  bumpAssetVersion,
  type ExerciseRow,
  findExercise,
  getExercise,
  lockExercise,
  setCatalogRender,
  setExerciseKind,
  setNextCatalogRender,
} from '../catalog/exercises.js';
import {
  ensureRenderRow,
  IMPORTED_RECIPE_HASH,
  markRenderEncoding,
  markRenderReady,
  type RenderRow,
  supersedeRenders,
} from '../catalog/renders.js';
import type { Publisher } from '../publish/publisher.js';

/** The recipe hash of a duration-based exercise's pre-baked video (it has no recipe). */
export { IMPORTED_RECIPE_HASH };

/** The file or the flags cannot make an import; nothing was published or written. */
export class ImportRefusedError extends PipelineError {
  readonly reasons: readonly FieldIssue[];

  constructor(reasons: readonly FieldIssue[]) {
    super(`import refused: ${formatIssues(reasons)}`, { code: 'IMPORT_REFUSED' });
    this.reasons = reasons;
  }
}

export interface ImportInput {
  /** The pre-baked video; any container ffprobe reads with a video stream. */
  filePath: string;
  exercise: string;
  language: string;
}

export interface ImportOptions extends ImportInput {
  db: CatalogDb;
  publisher: Publisher;
  /** RENDER_GRACE_SECONDS: how long the video this import replaces stays published. */
  graceSeconds: number;
  /** Default probeMedia (ffprobe). */
  probe?: (filePath: string) => Promise<ProbeResult>;
}

export interface ImportResult {
  exercise: ExerciseRow;
  render: RenderRow;
  /** Older renders this import replaced, deleted from the publisher by `sweep` after the grace period. */
  superseded: number;
}

/** Why the flags cannot name an import (pure). */
export function importInputProblems(input: ImportInput): FieldIssue[] {
  const problems: FieldIssue[] = [];
  if (!isValidSlug(input.exercise)) {
    problems.push({
      field: 'exercise',
      message: `${JSON.stringify(input.exercise)} is not an exercise slug; use lowercase letters, digits and single hyphens, e.g. plank-hold`,
    });
  }
  if (!isValidLanguage(input.language)) {
    problems.push({
      field: 'language',
      message: `${JSON.stringify(input.language)} is not a language tag; use e.g. ro or en`,
    });
  }
  return problems;
}

/** Why a probed file cannot be a duration-based exercise's video (pure). */
export function probeProblems(filePath: string, probe: ProbeResult): FieldIssue[] {
  if (!probe.video) {
    return [
      {
        field: 'file',
        message: `${filePath} has no video stream (${probe.formatName}); import an mp4 video`,
      },
    ];
  }
  if (!(probe.durationSeconds > 0)) {
    return [
      { field: 'file', message: `${filePath} has no duration; is it a still image? import an mp4 video` },
    ];
  }
  return [];
}

/**
 * Imports the pre-baked video of a duration-based exercise: publishes it as it is, then in one
 * transaction makes the exercise duration-based (creating it when new), starts a new asset version,
 * supersedes what the import replaces, records a ready render with recipe_hash `_imported` and makes
 * it the catalog preview. A failed transaction removes the published video again.
 */
export async function importDurationVideo(options: ImportOptions): Promise<ImportResult> {
  const inputProblems = importInputProblems(options);
  const file = await stat(options.filePath).catch(() => undefined);
  if (!file?.isFile()) {
    inputProblems.push({
      field: 'file',
      message: `${options.filePath} is not a file; pass the path of an mp4`,
    });
  }
  if (inputProblems.length > 0) throw new ImportRefusedError(inputProblems);

  const probe = await probeOrRefuse(options.filePath, options.probe ?? ((path) => probeMedia(path)));
  const problems = probeProblems(options.filePath, probe);
  if (problems.length > 0) throw new ImportRefusedError(problems);

  const fingerprint = await sha256Of(options.filePath);
  const before = await findExercise(options.db, options.exercise);
  const published = await options.publisher.publish({
    filePath: options.filePath,
    exercise: options.exercise,
    language: options.language,
    recipeHash: IMPORTED_RECIPE_HASH,
    // Only the video's title uses it; the transaction below assigns the version for real.
    assetVersion: (before?.asset_version ?? 0) + 1,
    durationSeconds: probe.durationSeconds,
  });
  try {
    return await options.db.transaction(async (tx) => {
      const locked = await lockExercise(tx, options.exercise, 'duration_based');
      if (locked.kind !== 'duration_based') await setExerciseKind(tx, locked.id, 'duration_based');
      const bumped = await bumpAssetVersion(tx, locked.id, fingerprint);
      // An import replaces the earlier import of the same language and every composed render (the
      // exercise is not composed any more); imports of other languages stay. They stay published
      // for the grace period so players that hold their URL keep working.
      // A video Bunny still transcodes does not replace the catalog preview yet: the transcode
      // watcher of `consumer run` makes it the preview (and supersedes the previous one) once it plays.
      const playable = published.state === 'ready';
      const superseded = await supersedeRenders(
        tx,
        bumped.id,
        bumped.asset_version,
        options.graceSeconds,
        { recipeHash: IMPORTED_RECIPE_HASH, language: options.language },
        playable ? undefined : locked.catalog_render_id,
      );
      const row = await ensureRenderRow(
        tx,
        {
          exerciseId: bumped.id,
          recipeHash: IMPORTED_RECIPE_HASH,
          language: options.language,
          assetVersion: bumped.asset_version,
        },
        null,
      );
      const fields = {
        bunnyVideoId: published.videoId,
        playbackUrl: published.playbackUrl,
        durationSeconds: probe.durationSeconds,
      };
      const render = playable
        ? await markRenderReady(tx, row.id, fields)
        : await markRenderEncoding(tx, row.id, fields);
      if (playable) await setCatalogRender(tx, bumped.id, render.id);
      else {
        await setNextCatalogRender(tx, bumped.id, render.id);
      }
      const exercise = (await getExercise(tx, bumped.id))!;
      return { exercise, render, superseded };
    });
  } catch (error) {
    await options.publisher.delete(published.videoId).catch(() => {});
    throw error;
  }
}

async function probeOrRefuse(
  filePath: string,
  probe: (filePath: string) => Promise<ProbeResult>,
): Promise<ProbeResult> {
  try {
    return await probe(filePath);
  } catch (error) {
    // ffprobe ran and could not read the file: the file is the problem, not the machine.
    if (error instanceof FfmpegError && error.code === 'FFMPEG_FAILED' && !error.timedOut) {
      const detail = error.stderrTail.trim().split('\n').pop() ?? '';
      throw new ImportRefusedError([
        {
          field: 'file',
          message: `${filePath} is not readable media (${detail || 'ffprobe failed'}); import an mp4 video`,
        },
      ]);
    }
    throw error;
  }
}

async function sha256Of(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
