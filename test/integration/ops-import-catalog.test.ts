import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogDb, openCatalogDb } from '@exercise-pipeline/render-consumer/catalog';
import { findExercise } from '@exercise-pipeline/render-consumer/catalog';
import { migrateCatalog } from '@exercise-pipeline/render-consumer/catalog';
import { getRender } from '@exercise-pipeline/render-consumer/catalog';
import { createPublisher } from '@exercise-pipeline/render-consumer/publish';
import { TranscodeWatcher } from '@exercise-pipeline/render-consumer/transcode';
import { BunnyStreamDouble } from '../doubles/bunny-stream-double.js';
import { useTempDir, useTestDatabase } from '../harness/index.js';
import { jsonOf, runConsumerCli, runConsumerInProcess } from './ops-cli.js';

const database = useTestDatabase('ops-import');
const temp = useTempDir('ops-import');
let db: CatalogDb;

/** A short H.264/AAC clip made by ffmpeg's own generators. */
function makeClip(file: string, seconds: number, colour: string): void {
  const result = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', `color=c=${colour}:s=160x90:r=10:d=${seconds}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file],
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`ffmpeg could not make ${file}: ${result.stderr}`);
}

beforeAll(async () => {
  makeClip(path.join(temp.path, 'plank-ro.mp4'), 2, 'blue');
  makeClip(path.join(temp.path, 'plank-ro-v2.mp4'), 1, 'red');
  await writeFile(path.join(temp.path, 'notes.mp4'), 'this is text, not a video\n');
  db = await openCatalogDb({ databaseUrl: database.url, dataDir: temp.path });
  await migrateCatalog(db);
});

afterAll(async () => {
  await db?.close();
});

function env(): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    DATA_DIR: path.join(temp.path, 'data'),
    PUBLISH_TARGET: 'local',
    RENDER_GRACE_SECONDS: '3600',
  };
}

async function columnsOf(table: string): Promise<string[]> {
  const rows = await db.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_name = $1',
    [table],
  );
  return rows.map((row) => row.column_name).sort();
}

interface Row {
  [column: string]: unknown;
}

describe('import and catalog show', () => {
  let firstRenderId = 0;

  it('`import` publishes the mp4 and records a duration-based exercise with an _imported catalog render', async () => {
    const clip = path.join(temp.path, 'plank-ro.mp4');
    const run = await runConsumerCli(
      ['import', clip, '--exercise', 'plank-hold', '--language', 'ro', '--json'],
      env(),
    );
    expect(run.code, run.stderr).toBe(0);
    const { exercise, render } = jsonOf<{ exercise: Row; render: Row }>(run);
    expect(exercise).toMatchObject({ slug: 'plank-hold', kind: 'duration_based', asset_version: 1 });
    expect(render).toMatchObject({ recipe_hash: '_imported', recipe: null, status: 'ready', language: 'ro' });
    expect(exercise.catalog_render_id).toBe(render.id);
    expect(render.duration_seconds).toBeCloseTo(2, 0);
    firstRenderId = render.id as number;

    const local = createPublisher({ publishTarget: 'local', dataDir: env().DATA_DIR! });
    expect((await local.status(render.bunny_video_id as string)).state).toBe('ready');
  });

  it('`catalog show --json` prints the exercise row and its renders with every column', async () => {
    const run = await runConsumerCli(['catalog', 'show', 'plank-hold', '--json'], env());
    expect(run.code, run.stderr).toBe(0);
    const entry = jsonOf<{ exercise: Row; renders: Row[] }>(run);
    expect(Object.keys(entry).sort()).toEqual(['exercise', 'renders']);
    expect(Object.keys(entry.exercise).sort()).toEqual(await columnsOf('exercises'));
    expect(entry.renders).toHaveLength(1);
    expect(Object.keys(entry.renders[0]!).sort()).toEqual(await columnsOf('exercise_renders'));
    expect(entry.renders[0]).toMatchObject({ id: firstRenderId, recipe_hash: '_imported' });

    const text = await runConsumerInProcess(['catalog', 'show', 'plank-hold'], env());
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('plank-hold (duration_based, active)');
  });

  it('`catalog show` refuses an unknown slug with exit 2', async () => {
    const run = await runConsumerInProcess(['catalog', 'show', 'no-such-exercise', '--json'], env());
    expect(run.code).toBe(2);
    expect(jsonOf<{ error: { code: string } }>(run).error.code).toBe('NOT_FOUND');
    expect(run.stderr).toContain('no exercise "no-such-exercise"');
  });

  it('a second import of the language supersedes the first under a new asset version', async () => {
    const clip = path.join(temp.path, 'plank-ro-v2.mp4');
    const run = await runConsumerInProcess(
      ['import', clip, '--exercise', 'plank-hold', '--language', 'ro', '--json'],
      env(),
    );
    expect(run.code, run.stderr).toBe(0);
    const { render, superseded } = jsonOf<{ render: Row; superseded: number }>(run);
    expect(superseded).toBe(1);
    expect(render.asset_version).toBe(2);
    const exercise = await findExercise(db, 'plank-hold');
    expect(exercise?.catalog_render_id).toBe(render.id);
    const first = await getRender(db, firstRenderId);
    expect(first?.status).toBe('superseded');
    expect(first?.delete_after?.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
  });

  it('refuses a file that is not a video, and bad flags, with exit 2 and nothing written', async () => {
    const before = await findExercise(db, 'plank-hold');
    const notVideo = await runConsumerInProcess(
      ['import', path.join(temp.path, 'notes.mp4'), '--exercise', 'plank-hold', '--language', 'ro'],
      env(),
    );
    expect(notVideo.code).toBe(2);
    expect(notVideo.stderr).toContain('notes.mp4');
    expect(await findExercise(db, 'plank-hold')).toEqual(before);

    const badFlags = await runConsumerInProcess(
      ['import', path.join(temp.path, 'plank-ro.mp4'), '--exercise', 'Plank Hold', '--language', 'ro'],
      env(),
    );
    expect(badFlags.code).toBe(2);
    expect(badFlags.stderr).toContain('exercise: "Plank Hold" is not an exercise slug');
    const missing = await runConsumerInProcess(['import', path.join(temp.path, 'plank-ro.mp4')], env());
    expect(missing.code).toBe(2);
    expect(await findExercise(db, 'plank-hold')).toEqual(before);
  });
});

describe('import to Bunny Stream', () => {
  it('records an encoding render that becomes the catalog preview only once Bunny has transcoded it', async () => {
    const bunny = await new BunnyStreamDouble({ transcodingAfterMs: 100, finishedAfterMs: 300 }).start();
    try {
      const bunnyEnv = {
        ...env(),
        PUBLISH_TARGET: 'bunny',
        BUNNY_STREAM_LIBRARY_ID: bunny.libraryId,
        BUNNY_STREAM_API_KEY: bunny.apiKey,
        BUNNY_STREAM_CDN_HOSTNAME: 'vz-test.b-cdn.net',
        BUNNY_STREAM_API_URL: bunny.url,
      };
      const first = await runConsumerInProcess(
        [
          'import',
          path.join(temp.path, 'plank-ro.mp4'),
          '--exercise',
          'side-plank',
          '--language',
          'ro',
          '--json',
        ],
        bunnyEnv,
      );
      expect(first.code, first.stderr).toBe(0);
      const { render } = jsonOf<{ render: Row }>(first);
      expect(render.status).toBe('encoding');
      expect((await findExercise(db, 'side-plank'))?.catalog_render_id).toBeNull();

      // What `consumer run`'s transcode watcher does once Bunny has finished.
      const publisher = createPublisher({
        publishTarget: 'bunny',
        dataDir: temp.path,
        bunny: {
          libraryId: bunny.libraryId,
          apiKey: bunny.apiKey,
          cdnHostname: 'vz-test.b-cdn.net',
          apiUrl: bunny.url,
        },
      });
      const watcher = new TranscodeWatcher({
        db,
        publisher,
        ensureRender: { ensure: () => Promise.reject(new Error('an import is never re-rendered')) },
        graceSeconds: 3600,
        eventBusName: 'default',
        backoff: { baseSeconds: 0, maxSeconds: 0 },
      });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await watcher.pollOnce()).toBe(1);
      expect((await getRender(db, Number(render.id)))?.status).toBe('ready');
      expect((await findExercise(db, 'side-plank'))?.catalog_render_id).toBe(Number(render.id));
      expect(bunny.videos().find((video) => video.guid === render.bunny_video_id)?.status).toBe(4);
    } finally {
      await bunny.stop();
    }
  });
});
