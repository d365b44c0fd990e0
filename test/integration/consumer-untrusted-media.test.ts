/**
 * The bucket is untrusted (it is also written by hand): an object named `rep-left-video-1.mp4` that
 * is really an HLS playlist pointing at a file on the consumer's own host must never be rendered.
 * The consumer refuses it before ffmpeg opens it, marks the render failed, and moves the message to
 * the DLQ at once with the key named, on PostgreSQL and on the embedded PGlite catalog alike.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Message } from '@aws-sdk/client-sqs';
import { probeMedia } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { drainQueue } from '../harness/index.js';
import { refreshExercise, rendersOf, usePipeline, waitFor } from './consumer-helpers.js';

const world = usePipeline('consumer-untrusted-media');

/** A playlist whose one segment is a video that exists only on the consumer's host. */
async function hostileObject(slug: string, bundleDir: string): Promise<{ playlist: string; secret: string }> {
  const secretDir = path.join(world.root, 'host-only', slug);
  await mkdir(secretDir, { recursive: true });
  const secret = path.join(secretDir, 'private-recording.mp4');
  await copyFile(path.join(bundleDir, 'intro-video-1.mp4'), secret);
  const playlist = path.join(secretDir, 'rep-left-video-1.mp4');
  await writeFile(
    playlist,
    [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-TARGETDURATION:10',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXTINF:2.0,',
      secret,
      '#EXT-X-ENDLIST',
      '',
    ].join('\n'),
  );
  return { playlist, secret };
}

async function dlqMessagesOf(slug: string): Promise<Message[]> {
  const seen: Message[] = [];
  return waitFor(
    `a DLQ message for ${slug}`,
    async () => {
      seen.push(...(await drainQueue(world.pipeline.clients.sqs, world.pipeline.topology.dlqUrl, 1)));
      const mine = seen.filter((message) => message.MessageAttributes?.exercise?.StringValue === slug);
      return mine.length > 0 ? mine : undefined;
    },
    90_000,
    300,
  );
}

describe.each([
  { catalog: 'postgres', slug: 'fandari-laterale' },
  { catalog: 'pglite', slug: 'ridicari-bazin' },
])('a bucket object that is not what its name says ($catalog)', ({ catalog, slug }) => {
  it('is refused before ffmpeg opens it, goes to the DLQ naming the key, and renders once replaced', async () => {
    const bundleDir = await world.bundle(slug);
    const { playlist } = await hostileObject(slug, bundleDir);
    // The fault as found: ffmpeg's own detection reads the object as a playlist with a video in it.
    const detected = await probeMedia(playlist);
    expect(detected.formatName).toBe('hls');
    expect(detected.video).toBeDefined();

    // A valid sync, then the variant replaced by hand (`aws s3 cp`), as anyone with bucket write could.
    await world.sync(slug, bundleDir);
    const key = `${slug}/rep-left-video-1.mp4`;
    await putObject(key, playlist);

    const service = await world.startService({
      dataDir: path.join(world.root, `data-${catalog}`),
      ...(catalog === 'postgres' ? { databaseUrl: world.databaseUrl } : {}),
    });
    try {
      // Repeats of the same refusal are each dead-lettered; the first one is enough to read.
      const [dead] = await dlqMessagesOf(slug);
      const reason = dead?.MessageAttributes?.failure_reason?.StringValue ?? '';
      expect(reason).toContain('MEDIA_CONTAINER_REFUSED');
      expect(reason).toContain(`s3://${world.pipeline.topology.bucket}/${key}`);
      expect(reason).toContain('is an HLS playlist, not an MP4/MOV video');

      await waitFor(
        `the render queue to be empty for ${slug}`,
        async () => (await world.queueDepth()) === 0,
        60_000,
        300,
      );
      const renders = await rendersOf(service.db, slug);
      expect(renders.length).toBeGreaterThan(0);
      expect(renders.every((render) => render.status === 'failed')).toBe(true);
      expect(renders[0]?.error).toContain(key);
      expect(world.completedUploads(slug)).toEqual([]);
      // Refusals are permanent: no message of the exercise was left on the queue to be retried.
      expect(service.metrics.messagesFailed.get({ retryable: 'true' })).toBe(0);

      // A real video in its place renders as usual.
      await putObject(key, path.join(bundleDir, 'rep-left-video-1.mp4'));
      await refreshExercise(world.pipeline, slug, { force: false });
      const ready = await waitFor(
        `ready previews of ${slug}`,
        async () => {
          const rows = (await rendersOf(service.db, slug)).filter((render) => render.status === 'ready');
          return rows.length === 2 ? rows : undefined;
        },
        120_000,
        500,
      );
      expect(ready.map((render) => render.language).sort()).toEqual(['en', 'ro']);
      expect(world.completedUploads(slug)).toHaveLength(2);
    } finally {
      await service.stop();
    }
  }, 300_000);
});

async function putObject(key: string, file: string): Promise<void> {
  await world.pipeline.clients.s3.send(
    new PutObjectCommand({ Bucket: world.pipeline.topology.bucket, Key: key, Body: await readFile(file) }),
  );
}
