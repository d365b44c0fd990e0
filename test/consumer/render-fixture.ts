/**
 * Shared set-up of the render and HTTP tests: a migrated PGlite catalog in a temp DATA_DIR, a tiny
 * generated bundle, an exercise row for it, and a composer that counts its renders.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  archiveExercise,
  bumpAssetVersion,
  type CatalogDb,
  type ExerciseRow,
  lockExercise,
  migrateCatalog,
  openCatalogDb,
} from '@exercise-pipeline/render-consumer/catalog';
import { composeRecipe, LocalBundleSource } from '@exercise-pipeline/render-consumer/compose';
import { LocalPublisher, MEDIA_DIR } from '@exercise-pipeline/render-consumer/publish';
import {
  type ComposeFn,
  EnsureRender,
  type EnsureRenderOptions,
} from '@exercise-pipeline/render-consumer/render';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { generateBundle, leftRightRecipe, TINY_MEDIA } from '../fixtures/index.js';
import { trackResource } from '../harness/resources.js';
import { createTempDir, type TempDir } from '../harness/temp-dir.js';

/** The slug generateBundle writes into its manifest. */
export const SLUG = 'detensionari-lombare';

export interface RenderFixture {
  db: CatalogDb;
  dataDir: string;
  bundleDir: string;
  bundleSource: () => LocalBundleSource;
  close(): Promise<void>;
}

/** Opens everything once per test file (call from beforeAll; `close` from afterAll). */
export async function openRenderFixture(label: string): Promise<RenderFixture> {
  const temp: TempDir = await createTempDir(label);
  const dataDir = path.join(temp.path, 'data');
  const bundleDir = path.join(temp.path, 'bundle');
  await generateBundle(bundleDir, TINY_MEDIA);
  const db = await openCatalogDb({ dataDir });
  const tracked = trackResource('database', `pglite ${dataDir}`, () => db.close());
  await migrateCatalog(db);
  return {
    db,
    dataDir,
    bundleDir,
    bundleSource: () => new LocalBundleSource(bundleDir),
    async close() {
      await tracked.close();
      await temp.remove();
    },
  };
}

/** A render fixture that also builds EnsureRender services on itself. */
export interface UsedRenderFixture extends RenderFixture {
  /** An EnsureRender on the fixture's catalog, bundle and local publisher, composing with `compose`. */
  ensureRender(compose: ComposeFn, options?: Partial<EnsureRenderOptions>): EnsureRender;
}

/**
 * Opens the fixture before the file's tests, empties its catalog before each test and closes it after
 * them. Call at the top of a test file; the answer reads the open fixture.
 */
export function useRenderFixture(label: string): UsedRenderFixture {
  let opened: RenderFixture | undefined;
  const current = (): RenderFixture => {
    if (opened === undefined) throw new Error(`the render fixture ${label} is used outside its tests`);
    return opened;
  };
  beforeAll(async () => {
    opened = await openRenderFixture(label);
  });
  afterAll(async () => {
    await opened?.close();
  });
  beforeEach(async () => {
    await resetCatalog(current().db);
  });
  const fixture: UsedRenderFixture = {
    get db() {
      return current().db;
    },
    get dataDir() {
      return current().dataDir;
    },
    get bundleDir() {
      return current().bundleDir;
    },
    bundleSource: () => current().bundleSource(),
    close: () => current().close(),
    ensureRender: (compose, options = {}) =>
      new EnsureRender({
        db: fixture.db,
        bundleSourceFor: () => fixture.bundleSource(),
        compose,
        publisher: new LocalPublisher({ dataDir: fixture.dataDir }),
        dataDir: fixture.dataDir,
        ...options,
      }),
  };
  return fixture;
}

/** Empties the catalog between tests so each starts from no rows. */
export async function resetCatalog(db: CatalogDb): Promise<void> {
  await db.execScript('TRUNCATE exercise_renders, exercises RESTART IDENTITY CASCADE');
}

/** The exercise row the ingest would have made: active, asset version 1. */
export async function addExercise(
  db: CatalogDb,
  options: { slug?: string; archived?: boolean; kind?: ExerciseRow['kind'] } = {},
): Promise<ExerciseRow> {
  return db.transaction(async (tx) => {
    const locked = await lockExercise(tx, options.slug ?? SLUG, options.kind);
    const bumped = await bumpAssetVersion(tx, locked.id, 'fingerprint-1');
    return options.archived ? archiveExercise(tx, bumped.id) : bumped;
  });
}

/** The real composer, counting how often it ran; `before` runs first (delays, failures, side effects). */
export function countingCompose(before?: (call: number) => Promise<void> | void): {
  compose: ComposeFn;
  readonly calls: number;
} {
  let calls = 0;
  return {
    compose: async (options) => {
      calls += 1;
      await before?.(calls);
      return composeRecipe(options);
    },
    get calls() {
      return calls;
    },
  };
}

/** The renditions the local publisher wrote (one directory per published render). */
export async function publishedIds(dataDir: string): Promise<string[]> {
  const entries = await readdir(path.join(dataDir, MEDIA_DIR)).catch(() => [] as string[]);
  return entries.filter((name) => !name.startsWith('.')).sort();
}

/** `consumer compose` of `bundleDir` (ro, left:5,right:10, seed 5) to `out`, printing JSON. */
export function composeCommandArgs(bundleDir: string, out: string): string[] {
  return [
    'compose',
    '--bundle',
    bundleDir,
    '--language',
    'ro',
    '--sets',
    'left:5,right:10',
    '--seed',
    '5',
    '--out',
    out,
    '--json',
  ];
}

export function recipe(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...leftRightRecipe(SLUG, [5, 5], 7), ...overrides };
}
