/**
 * Shared set-up of the ops commands' tests against Bunny: a migrated PostgreSQL catalog of the
 * file's own, the Bunny Stream double and a client of it, and renders seeded into both.
 */
import path from 'node:path';
import {
  type CatalogDb,
  ensureRenderRow,
  lockExercise,
  markRenderReady,
  migrateCatalog,
  openCatalogDb,
} from '@exercise-pipeline/render-consumer/catalog';
import { BunnyClient } from '@exercise-pipeline/render-consumer/publish';
import { afterAll, beforeAll } from 'vitest';
import { BunnyStreamDouble } from '../doubles/bunny-stream-double.js';
import { useTempDir, useTestDatabase } from '../harness/index.js';

export const CDN = 'vz-test.b-cdn.net';

export interface BunnyCatalog {
  readonly databaseUrl: string;
  /** The file's temp dir. */
  readonly root: string;
  readonly bunny: BunnyStreamDouble;
  readonly db: CatalogDb;
  readonly client: BunnyClient;
  /** The environment of an ops command on this catalog and the double (data under the temp dir). */
  opsEnv(): Record<string, string>;
  /** A ready render of `slug` v`version` in language `ro`, its video created in the double. */
  seedReadyRender(
    slug: string,
    version: number,
    video: { title: string; collectionId?: string },
  ): Promise<{ id: number; exerciseId: number; videoId: string }>;
}

/** Registers the hooks: the database, temp dir and double opened in beforeAll, closed in afterAll. */
export function useBunnyCatalog(label: string): BunnyCatalog {
  const database = useTestDatabase(label);
  const temp = useTempDir(label);
  let opened: { bunny: BunnyStreamDouble; db: CatalogDb; client: BunnyClient } | undefined;
  let bunny: BunnyStreamDouble | undefined;
  let db: CatalogDb | undefined;
  beforeAll(async () => {
    bunny = await new BunnyStreamDouble().start();
    const client = new BunnyClient({ libraryId: bunny.libraryId, apiKey: bunny.apiKey, apiUrl: bunny.url });
    db = await openCatalogDb({ databaseUrl: database.url, dataDir: temp.path });
    await migrateCatalog(db);
    opened = { bunny, db, client };
  });
  afterAll(async () => {
    await db?.close();
    await bunny?.stop();
  });
  const get = () => {
    if (!opened) throw new Error(`useBunnyCatalog('${label}'): opens in beforeAll; use it in tests`);
    return opened;
  };
  return {
    get databaseUrl() {
      return database.url;
    },
    get root() {
      return temp.path;
    },
    get bunny() {
      return get().bunny;
    },
    get db() {
      return get().db;
    },
    get client() {
      return get().client;
    },
    opsEnv() {
      const { bunny } = get();
      return {
        DATABASE_URL: database.url,
        DATA_DIR: path.join(temp.path, 'data'),
        PUBLISH_TARGET: 'bunny',
        BUNNY_STREAM_LIBRARY_ID: bunny.libraryId,
        BUNNY_STREAM_API_KEY: bunny.apiKey,
        BUNNY_STREAM_CDN_HOSTNAME: CDN,
        BUNNY_STREAM_API_URL: bunny.url,
      };
    },
    async seedReadyRender(slug, version, videoOptions) {
      const { db, client } = get();
      const exercise = await lockExercise(db, slug);
      const video = await client.createVideo(videoOptions);
      const row = await ensureRenderRow(
        db,
        { exerciseId: exercise.id, recipeHash: `hash-${version}`, language: 'ro', assetVersion: version },
        { exercise: slug },
      );
      await markRenderReady(db, row.id, {
        bunnyVideoId: video.guid,
        playbackUrl: `https://${CDN}/${video.guid}/playlist.m3u8`,
        durationSeconds: 12,
      });
      return { id: row.id, exerciseId: exercise.id, videoId: video.guid };
    },
  };
}
