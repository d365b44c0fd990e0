/**
 * A forced refresh (`consumer refresh <slug> --force`) carries a request id: the same message
 * delivered again (a consumer killed mid-render hands it back, an operator replays it) renders what
 * is missing and never bumps `asset_version` a second time. A new forced request still bumps.
 */
import path from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { refreshRequestBody } from '@exercise-pipeline/render-consumer/ops';
import { describe, expect, it } from 'vitest';
import { exerciseRow, rendersOf, usePipeline, waitFor, waitForPreviews } from './consumer-helpers.js';

const world = usePipeline('consumer-forced-refresh');

describe.each([
  { catalog: 'postgres', slug: 'extensii-glezna' },
  { catalog: 'pglite', slug: 'pod-fesier' },
])('a forced refresh delivered twice ($catalog)', ({ catalog, slug }) => {
  it('bumps the asset version once per request id', async () => {
    await world.sync(slug);
    const service = await world.startService({
      dataDir: path.join(world.root, `data-${catalog}`),
      ...(catalog === 'postgres' ? { databaseUrl: world.databaseUrl } : {}),
    });
    try {
      const { db } = service;
      await waitForPreviews(db, slug, 1, ['ro', 'en'], 120_000);
      await world.queueDrained();

      const send = async (body: object) => {
        const processed = service.metrics.messagesProcessed.get();
        await world.pipeline.clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: world.pipeline.topology.queueUrl,
            MessageBody: JSON.stringify(body),
          }),
        );
        await waitFor(
          'the message to be handled',
          async () => service.metrics.messagesProcessed.get() > processed,
        );
        await world.queueDrained();
      };
      const forced = refreshRequestBody({ exercise: slug, force: true, requestedBy: 'ops@test' });
      expect(forced.detail.requestId).toMatch(/^[0-9a-f-]{36}$/);

      await send(forced);
      const v2 = await waitForPreviews(db, slug, 2, ['ro', 'en'], 120_000);

      // The same message again: SQS's redelivery after a crash looks exactly like this.
      await send(forced);
      expect((await exerciseRow(db, slug))?.asset_version).toBe(2);
      const renders = await rendersOf(db, slug);
      expect(renders.filter((render) => render.asset_version > 2)).toEqual([]);
      expect(renders.filter((render) => render.status === 'ready').map((render) => render.id)).toEqual(
        v2.map((render) => render.id).sort((a, b) => Number(a) - Number(b)),
      );
      const recorded = await db.query<{ request_id: string; asset_version: number }>(
        'SELECT request_id, asset_version FROM forced_refreshes WHERE request_id = $1',
        [forced.detail.requestId],
      );
      expect(recorded).toEqual([{ request_id: forced.detail.requestId, asset_version: 2 }]);

      // A new request is a new decision.
      await send(refreshRequestBody({ exercise: slug, force: true, requestedBy: 'ops@test' }));
      await waitForPreviews(db, slug, 3, ['ro', 'en'], 120_000);
    } finally {
      await service.stop();
    }
  }, 400_000);
});
