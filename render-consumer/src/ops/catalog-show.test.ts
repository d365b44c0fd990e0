import { describe, expect, it } from 'vitest';
import type { ExerciseRow } from '../catalog/exercises.js';
import type { RenderRow } from '../catalog/renders.js';
import { formatCatalogEntry } from './catalog-show.js';

const at = new Date('2026-01-10T10:00:00Z');
const exercise: ExerciseRow = {
  id: 1,
  slug: 'lumbar-release',
  kind: 'reps_based',
  status: 'active',
  asset_version: 2,
  asset_fingerprint: 'abc',
  catalog_render_id: 8,
  next_catalog_render_id: null,
  created_at: at,
  updated_at: at,
};

function render(id: number, fields: Partial<RenderRow>): RenderRow {
  return {
    id,
    exercise_id: 1,
    recipe_hash: '3f9a1c2b7d4e5f60',
    language: 'ro',
    recipe: null,
    asset_version: 2,
    status: 'ready',
    bunny_video_id: `video-${id}`,
    playback_url: null,
    duration_seconds: 61.25,
    error: null,
    delete_after: null,
    lease_owner: null,
    lease_expires_at: null,
    catalog_preview: false,
    encode_progress: null,
    transcode_failures: 0,
    next_check_at: null,
    transcode_checks: 0,
    created_at: at,
    updated_at: at,
    ...fields,
  };
}

describe('formatCatalogEntry', () => {
  it('marks the catalog preview and shows when a superseded render goes and why one failed', () => {
    const text = formatCatalogEntry({
      exercise,
      renders: [
        render(7, { asset_version: 1, status: 'superseded', delete_after: new Date('2026-01-17T10:00:00Z') }),
        render(8, {}),
        render(9, {
          status: 'failed',
          error: 'ffmpeg exited 1',
          bunny_video_id: null,
          duration_seconds: null,
        }),
      ],
    });
    expect(text).toContain('lumbar-release (reps_based, active)');
    expect(text).toMatch(/^8\* +ro +v2 +ready +3f9a1c2b7d4e +61\.3 s +video-8/m);
    expect(text).toMatch(/^7 +ro +v1 +superseded .*2026-01-17T10:00:00\.000Z$/m);
    expect(text).toMatch(/^9 +ro +v2 +failed .* - +ffmpeg exited 1$/m);
  });

  it('says so when there are no renders', () => {
    expect(formatCatalogEntry({ exercise: { ...exercise, catalog_render_id: null }, renders: [] })).toContain(
      'no renders',
    );
  });
});
