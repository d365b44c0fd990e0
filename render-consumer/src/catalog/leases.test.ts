import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogDb, openCatalogDb } from './database.js';
import { bumpAssetVersion, lockExercise } from './exercises.js';
import { countLeasesHeld, listRenderLeases } from './leases.js';
import { migrateCatalog } from './migrate.js';
import { claimRender, ensureRenderRow, markRenderReadyIfHeld } from './renders.js';

const A = 'host-a:41:0f3c9a1b';
const B = 'host-b:7:aa11bb22';

let temp: TempDir;
let db: CatalogDb;

beforeAll(async () => {
  temp = await createTempDir('leases');
  db = await openCatalogDb({ dataDir: temp.path });
  await migrateCatalog(db);
});

afterAll(async () => {
  await db?.close();
  await temp?.remove();
});

describe('render leases read from the catalog', () => {
  it('lists every lease by holder, and counts only unexpired ones as held', async () => {
    const exercise = await db.transaction(async (tx) =>
      bumpAssetVersion(tx, (await lockExercise(tx, 'plank-hold')).id, 'f'.repeat(64)),
    );
    const render = (hash: string, language: string) =>
      ensureRenderRow(db, { exerciseId: exercise.id, recipeHash: hash, language, assetVersion: 1 }, null);
    const [one, two, three, done] = await Promise.all([
      render('a'.repeat(64), 'ro'),
      render('a'.repeat(64), 'en'),
      render('b'.repeat(64), 'ro'),
      render('c'.repeat(64), 'ro'),
    ]);
    expect(await claimRender(db, one!.id, A, 60)).not.toBeNull();
    expect(await claimRender(db, two!.id, A, 60)).not.toBeNull();
    expect(await claimRender(db, three!.id, B, 60)).not.toBeNull();
    expect(await claimRender(db, done!.id, B, 60)).not.toBeNull();
    // A holder that stopped renewing: its lease ran out.
    await db.query(
      `UPDATE exercise_renders SET lease_expires_at = now() - interval '5 seconds' WHERE id = $1`,
      [two!.id],
    );
    // A finished render gives its lease up.
    await markRenderReadyIfHeld(db, done!.id, B, {
      bunnyVideoId: 'v',
      playbackUrl: '/p',
      durationSeconds: 1,
    });

    const leases = await listRenderLeases(db);
    expect(
      leases.map((lease) => [lease.lease_owner, lease.render_id, lease.exercise, lease.language]),
    ).toEqual([
      [A, one!.id, 'plank-hold', 'ro'],
      [A, two!.id, 'plank-hold', 'en'],
      [B, three!.id, 'plank-hold', 'ro'],
    ]);
    expect(Number(leases[0]!.expires_in_seconds)).toBeGreaterThan(50);
    expect(Number(leases[1]!.expires_in_seconds)).toBeLessThan(0);
    expect(await countLeasesHeld(db, A)).toBe(1);
    expect(await countLeasesHeld(db, B)).toBe(1);
    expect(await countLeasesHeld(db, 'host-c:1:00000000')).toBe(0);
  });
});
