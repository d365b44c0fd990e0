import { readFile } from 'node:fs/promises';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogDb, openCatalogDb } from '../catalog/database.js';
import { bumpAssetVersion, lockExercise, setExerciseKind } from '../catalog/exercises.js';
import { migrateCatalog, splitStatements } from '../catalog/migrate.js';
import { listExerciseStatus } from '../catalog/status.js';

const MIGRATIONS = new URL('../catalog/migrations/', import.meta.url);

let temp: TempDir;
let db: CatalogDb;

beforeAll(async () => {
  temp = await createTempDir('fingerprint-age');
  db = await openCatalogDb({ dataDir: temp.path });
});

afterAll(async () => {
  await db?.close();
  await temp?.remove();
});

/** Applies one migration by hand, as an older consumer would have. */
async function applyByHand(name: string): Promise<void> {
  const sql = await readFile(new URL(name, MIGRATIONS), 'utf8');
  await db.transaction(async (tx) => {
    for (const statement of splitStatements(sql)) await tx.query(statement);
    await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
  });
}

describe('fingerprint_updated_at (migration 0003)', () => {
  it('is backfilled from updated_at for exercises that had a fingerprint before the column existed', async () => {
    await db.execScript(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    await applyByHand('0001_catalog.sql');
    await applyByHand('0002_operations.sql');
    await db.query(
      `INSERT INTO exercises (slug, asset_version, asset_fingerprint, updated_at)
       VALUES ('old-bundle', 3, 'fp-old', now() - interval '3 days'), ('never-synced', 0, NULL, now())`,
    );

    expect(await migrateCatalog(db)).toEqual([
      '0003_fingerprint_age.sql',
      '0004_delivery_dedupe.sql',
      '0005_encoding.sql',
      '0006_forced_refreshes.sql',
      '0007_delivery_findings.sql',
    ]);
    const rows = await listExerciseStatus(db);
    const old = rows.find((row) => row.slug === 'old-bundle')!;
    expect(old.fingerprint_updated_at).toEqual(
      (await db.query<{ updated_at: Date }>(`SELECT updated_at FROM exercises WHERE slug = 'old-bundle'`))[0]!
        .updated_at,
    );
    expect(Number(old.fingerprint_age_seconds)).toBeGreaterThanOrEqual(3 * 86_400);
    const fresh = rows.find((row) => row.slug === 'never-synced')!;
    expect(fresh.fingerprint_updated_at).toBeNull();
    expect(fresh.fingerprint_age_seconds).toBeNull();
  });

  it('is set by every asset-version bump, and other catalog changes leave it alone', async () => {
    const bumped = await db.transaction(async (tx) => {
      const row = await lockExercise(tx, 'old-bundle');
      return bumpAssetVersion(tx, row.id, 'fp-new');
    });
    expect(bumped.asset_version).toBe(4);
    const [afterBump] = await db.query<{ fingerprint_updated_at: Date; age: number }>(
      `SELECT fingerprint_updated_at, EXTRACT(EPOCH FROM now() - fingerprint_updated_at)::double precision AS age
         FROM exercises WHERE slug = 'old-bundle'`,
    );
    expect(afterBump!.age).toBeLessThan(60);

    await setExerciseKind(db, bumped.id, 'duration_based');
    const [afterOther] = await db.query<{ fingerprint_updated_at: Date }>(
      `SELECT fingerprint_updated_at FROM exercises WHERE slug = 'old-bundle'`,
    );
    expect(afterOther!.fingerprint_updated_at).toEqual(afterBump!.fingerprint_updated_at);
  });
});
