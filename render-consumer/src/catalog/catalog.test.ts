import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTempDir, type TempDir } from '@exercise-pipeline/test/harness';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogDb, openCatalogDb } from './database.js';
import { listDeliveries, recordDelivery } from './deliveries.js';
import { bumpAssetVersion, findExercise, lockExercise, setCatalogRender } from './exercises.js';
import { findMessageFailures, recordMessageFailure } from './failures.js';
import { migrateCatalog } from './migrate.js';
import {
  claimRender,
  ensureRenderRow,
  findRender,
  listExpiredRenders,
  markRenderDeleted,
  markRenderFailed,
  markRenderReady,
  supersedeRenders,
} from './renders.js';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

interface Driver {
  name: string;
  open(): Promise<CatalogDb>;
  cleanup(): Promise<void>;
}

function postgresDriver(): Driver {
  const name = `catalog_test_${process.pid}_${Date.now()}`;
  return {
    name: 'postgres',
    async open() {
      const admin = new pg.Client(ADMIN_URL);
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      return openCatalogDb({
        databaseUrl: `postgres://postgres@127.0.0.1:5432/${name}`,
        dataDir: '/nonexistent',
      });
    },
    async cleanup() {
      const admin = new pg.Client(ADMIN_URL);
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

function pgliteDriver(): Driver {
  let temp: TempDir | undefined;
  return {
    name: 'pglite',
    async open() {
      temp = await createTempDir('catalog-pglite');
      return openCatalogDb({ dataDir: temp.path });
    },
    cleanup: async () => {
      await temp?.remove();
    },
  };
}

describe.each([postgresDriver(), pgliteDriver()])('catalog on $name', (driver) => {
  let db: CatalogDb;

  beforeAll(async () => {
    db = await driver.open();
  });
  afterAll(async () => {
    await db?.close();
    await driver.cleanup();
  });

  it('applies every migration once, and nothing on a second run', async () => {
    expect(db.kind).toBe(driver.name);
    const files = (await readdir(new URL('./migrations/', import.meta.url)))
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(files.slice(0, 2)).toEqual(['0001_catalog.sql', '0002_operations.sql']);
    expect(await migrateCatalog(db)).toEqual(files);
    expect(await migrateCatalog(db)).toEqual([]);
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'deliveries',
      'exercise_renders',
      'exercises',
      'forced_refreshes',
      'message_failures',
      'schema_migrations',
    ]);
  });

  it('bumps the asset version under a row lock and supersedes older renders', async () => {
    const v1 = await db.transaction(async (tx) => {
      const row = await lockExercise(tx, 'lumbar-release');
      expect(row.asset_version).toBe(0);
      return bumpAssetVersion(tx, row.id, 'fp-1');
    });
    expect(v1.asset_version).toBe(1);
    const key = { exerciseId: v1.id, recipeHash: 'h1', language: 'ro', assetVersion: 1 };
    const pending = await ensureRenderRow(db, key, { exercise: 'lumbar-release', sets: [] });
    expect(pending.status).toBe('pending');
    expect(pending.recipe).toEqual({ exercise: 'lumbar-release', sets: [] });
    // A second insert of the same cache key returns the same row instead of a duplicate.
    expect((await ensureRenderRow(db, key, null)).id).toBe(pending.id);

    const ready = await markRenderReady(db, pending.id, {
      bunnyVideoId: 'vid-1',
      playbackUrl: '/m',
      durationSeconds: 12.5,
    });
    expect(ready.status).toBe('ready');
    await setCatalogRender(db, v1.id, ready.id);

    const v2 = await db.transaction(async (tx) => {
      const row = await lockExercise(tx, 'lumbar-release');
      const bumped = await bumpAssetVersion(tx, row.id, 'fp-2');
      expect(await supersedeRenders(tx, row.id, bumped.asset_version, 3600)).toBe(1);
      return bumped;
    });
    expect(v2.asset_version).toBe(2);
    const old = await findRender(db, key);
    expect(old?.status).toBe('superseded');
    const hours = (old!.delete_after!.getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(0.98);
    expect(hours).toBeLessThan(1.01);
    // The old version's row is a cache miss for version 2.
    expect(await findRender(db, { ...key, assetVersion: 2 })).toBeNull();
    expect((await findExercise(db, 'lumbar-release'))?.asset_fingerprint).toBe('fp-2');
  });

  it('lets one holder claim a render until its lease runs out', async () => {
    const ex = await db.transaction((tx) => lockExercise(tx, 'hip-bridge'));
    const row = await ensureRenderRow(
      db,
      { exerciseId: ex.id, recipeHash: 'h', language: 'en', assetVersion: 1 },
      {},
    );
    expect(await claimRender(db, row.id, 'consumer-a', 60)).not.toBeNull();
    expect(await claimRender(db, row.id, 'consumer-b', 60)).toBeNull();
    await db.query(
      "UPDATE exercise_renders SET lease_expires_at = now() - interval '1 second' WHERE id = $1",
      [row.id],
    );
    expect((await claimRender(db, row.id, 'consumer-b', 60))?.lease_owner).toBe('consumer-b');
    await markRenderFailed(db, row.id, 'ffmpeg exited 1');
    const failed = await claimRender(db, row.id, 'consumer-c', 60);
    expect(failed?.error).toBe('ffmpeg exited 1');
    await markRenderReady(db, row.id, { bunnyVideoId: 'v', playbackUrl: 'p', durationSeconds: 1 });
    expect(await claimRender(db, row.id, 'consumer-d', 60)).toBeNull();
  });

  it('lists expired superseded renders and marks them deleted once', async () => {
    const ex = await db.transaction((tx) => lockExercise(tx, 'neck-tilt'));
    const row = await ensureRenderRow(
      db,
      { exerciseId: ex.id, recipeHash: 'x', language: 'ro', assetVersion: 1 },
      {},
    );
    await db.transaction((tx) => supersedeRenders(tx, ex.id, 2, 0));
    const expired = await listExpiredRenders(db, new Date(Date.now() + 1000));
    expect(expired.map((r) => r.id)).toContain(row.id);
    expect(await markRenderDeleted(db, row.id)).toBe(true);
    expect(await markRenderDeleted(db, row.id)).toBe(false);
  });

  it('spares the renders of one recipe in other languages when asked, superseding the rest', async () => {
    const ex = await db.transaction((tx) => lockExercise(tx, 'plank-hold'));
    const row = (recipeHash: string, language: string) =>
      ensureRenderRow(db, { exerciseId: ex.id, recipeHash, language, assetVersion: 1 }, null);
    const sameLanguage = await row('_imported', 'ro');
    const otherLanguage = await row('_imported', 'en');
    const composed = await row('h1', 'en');
    const newer = await ensureRenderRow(
      db,
      { exerciseId: ex.id, recipeHash: '_imported', language: 'ro', assetVersion: 2 },
      null,
    );
    const count = await db.transaction((tx) =>
      supersedeRenders(tx, ex.id, 2, 60, { recipeHash: '_imported', language: 'ro' }),
    );
    expect(count).toBe(2);
    const statusOf = async (id: number) =>
      (await db.query<{ status: string }>('SELECT status FROM exercise_renders WHERE id = $1', [id]))[0]
        ?.status;
    expect(await statusOf(sameLanguage.id)).toBe('superseded');
    expect(await statusOf(composed.id)).toBe('superseded');
    expect(await statusOf(otherLanguage.id)).toBe('pending');
    expect(await statusOf(newer.id)).toBe('pending');
  });

  it('records deliveries and message failures', async () => {
    await recordDelivery(db, {
      outcome: 'refused',
      delivery: '001 Detensionari Lombare',
      reasons: [{ file: 'x.mp4', problem: 'unknown name', fix: 'rename it' }],
      host: 'nas-1',
    });
    const [latest] = await listDeliveries(db);
    expect(latest?.reasons).toEqual([{ file: 'x.mp4', problem: 'unknown name', fix: 'rename it' }]);
    expect(latest?.findings).toEqual([]);
    // The same event delivered again adds no second row.
    const synced = {
      outcome: 'synced' as const,
      exercise: 'neck-tilt',
      fingerprint: 'fp',
      changed_keys: ['neck-tilt/manifest.json'],
      findings: [
        {
          kind: 'silent',
          file: 'Neck Tilt 1-20 Stanga.mp3',
          atSeconds: 0,
          action: 'warn' as const,
          message: 'Neck Tilt 1-20 Stanga.mp3: the voice-over is silent — export the recording again',
        },
      ],
      event_time: new Date('2026-11-27T09:00:00Z'),
    };
    const first = await recordDelivery(db, synced);
    expect(first.findings).toEqual(synced.findings);
    expect((await recordDelivery(db, synced)).id).toBe(first.id);
    expect(
      (await recordDelivery(db, { ...synced, event_time: new Date('2026-11-27T09:05:00Z') })).id,
    ).not.toBe(first.id);
    expect((await listDeliveries(db)).filter((row) => row.exercise === 'neck-tilt')).toHaveLength(2);
    await recordMessageFailure(db, { messageId: 'm-1', exercise: 'neck-tilt', reason: 'S3 timeout' });
    await recordMessageFailure(db, { messageId: 'm-1', reason: 'Bunny 503' });
    const [failure] = await findMessageFailures(db, ['m-1', 'm-2']);
    expect(failure).toMatchObject({
      message_id: 'm-1',
      exercise: 'neck-tilt',
      reason: 'Bunny 503',
      failures: 2,
    });
  });
});

describe('the embedded catalog', () => {
  it('refuses a second process while one holds it, and opens again once it is closed', async () => {
    const temp = await createTempDir('catalog-lock');
    const dir = temp.path;
    try {
      const first = await openCatalogDb({ dataDir: dir });
      // Another live process "holds" the folder: pid 1 always exists.
      await writeFile(path.join(dir, 'catalog-pglite', 'pipeline.pid'), '1');
      await expect(openCatalogDb({ dataDir: dir })).rejects.toThrow(/in use by process 1 .*DATABASE_URL/);
      await writeFile(path.join(dir, 'catalog-pglite', 'pipeline.pid'), String(process.pid));
      await first.close();
      const again = await openCatalogDb({ dataDir: dir });
      await again.close();
    } finally {
      await temp.remove();
    }
  });
});
