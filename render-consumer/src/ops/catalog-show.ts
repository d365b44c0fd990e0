import type { Queryable } from '../catalog/database.js';
import { type ExerciseRow, findExercise } from '../catalog/exercises.js';
import { listExerciseRenders, type RenderRow } from '../catalog/renders.js';

/** `catalog show`: the exercise row and every render of it, oldest first. */
export interface CatalogEntry {
  exercise: ExerciseRow;
  renders: RenderRow[];
}

/** The catalog entry of a slug, or null when the catalog has no such exercise. */
export async function showCatalogEntry(db: Queryable, slug: string): Promise<CatalogEntry | null> {
  const exercise = await findExercise(db, slug);
  if (!exercise) return null;
  return { exercise, renders: await listExerciseRenders(db, exercise.id) };
}

/** The entry for a terminal: one block for the exercise, one line per render. */
export function formatCatalogEntry(entry: CatalogEntry): string {
  const { exercise, renders } = entry;
  const lines = [
    `${exercise.slug} (${exercise.kind}, ${exercise.status})`,
    `  asset version    ${exercise.asset_version}`,
    `  fingerprint      ${exercise.asset_fingerprint ?? '-'}`,
    `  catalog render   ${exercise.catalog_render_id ?? '-'}`,
    `  updated          ${isoOf(exercise.updated_at)}`,
    '',
  ];
  if (renders.length === 0) {
    lines.push('no renders');
    return `${lines.join('\n')}\n`;
  }
  const header = ['id', 'lang', 'ver', 'status', 'recipe', 'duration', 'video', 'delete after / error'];
  const rows = renders.map((render) => [
    `${render.id}${render.id === exercise.catalog_render_id ? '*' : ''}`,
    render.language,
    `v${render.asset_version}`,
    render.status,
    render.recipe_hash.slice(0, 12),
    render.duration_seconds === null ? '-' : `${render.duration_seconds.toFixed(1)} s`,
    render.bunny_video_id ?? '-',
    render.error ?? (render.delete_after ? isoOf(render.delete_after) : '-'),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  lines.push(format(header), ...rows.map(format));
  if (exercise.catalog_render_id !== null) lines.push('', '* the catalog preview');
  return `${lines.join('\n')}\n`;
}

function isoOf(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
