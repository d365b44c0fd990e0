import { type AddressInfo, createServer, type Socket } from 'node:net';
import { createSqsClient } from '@exercise-pipeline/shared';
import { useTestAwsEnv } from '@exercise-pipeline/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readQueueDepth } from './queue-snapshot.js';

/** An SQS endpoint that takes the connection and never answers (a frozen endpoint). */
const sockets = new Set<Socket>();
const frozen = createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
let endpoint: string;

useTestAwsEnv();

beforeAll(async () => {
  await new Promise<void>((resolve) => frozen.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(frozen.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => frozen.close(resolve));
});

describe('readQueueDepth', () => {
  it("gives up when the caller's signal aborts, before its own deadline, and says why", async () => {
    const sqs = createSqsClient({ endpoint, region: 'eu-central-1' });
    const url = `${endpoint}/000000000000/renders`;
    const started = performance.now();
    const view = await readQueueDepth(sqs, url, 20_000, AbortSignal.timeout(300));
    const waited = performance.now() - started;
    sqs.destroy();
    expect(view).toMatchObject({ url, depth: null, visible: null, inFlight: null, delayed: null });
    expect(view.error).toMatch(/^GetQueueAttributes on .*\/renders failed: .* — check RENDER_QUEUE_URL/);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(5000);
  });

  it('gives up at its own deadline without a signal', async () => {
    const sqs = createSqsClient({ endpoint, region: 'eu-central-1' });
    const started = performance.now();
    const view = await readQueueDepth(sqs, `${endpoint}/000000000000/renders`, 400);
    sqs.destroy();
    expect(view.depth).toBeNull();
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
