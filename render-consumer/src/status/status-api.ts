import { createRequire } from 'node:module';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Queryable } from '../catalog/database.js';
import { listDeliveries } from '../catalog/deliveries.js';
import { listRenderLeases } from '../catalog/leases.js';
import { HttpError } from '../http/http-error.js';
import { sendJson } from '../http/respond.js';
import type { Handler, Route } from '../http/router.js';
import { sendFile } from '../http/send-file.js';
import { createDeadLetterReader, readQueueDepth } from './queue-snapshot.js';
import { listExerciseStatus, listRecentRenders } from './status-queries.js';
import {
  type StatusDocument,
  toConsumersView,
  toDeliveryView,
  toExerciseView,
  toRenderView,
} from './status-view.js';

export interface StatusRoutesOptions {
  db: Queryable;
  sqs: SQSClient;
  /** RENDER_QUEUE_URL. */
  queueUrl: string;
  /** RENDER_DLQ_URL. */
  dlqUrl: string;
  /**
   * Base URL that server-relative playback URLs (the local publisher's `/media/…`) are resolved
   * against; default none: they stay relative, which is right for the page this server serves.
   */
  publicBase?: string;
  /** Signs the playback URLs the page plays (BUNNY_STREAM_TOKEN_KEY); default unchanged. */
  signPlayback?: (url: string) => string;
  /** Deliveries listed, newest first; default 50. */
  deliveriesLimit?: number;
  /** Renders listed, newest first; default 100. */
  rendersLimit?: number;
  /** How long one reading of the DLQ's messages is reused; default 10 s. */
  dlqCacheMs?: number;
  /** Deadline of each SQS call; default 5 s. */
  sqsTimeoutMs?: number;
  /** The consumer serving the page: its lease owner id and its renders in flight. */
  consumer?: { id: string; rendersInFlight: () => number };
}

/** Where the page loads hls.js from (served from the installed package, no copy checked in). */
export const HLS_SCRIPT_PATH = '/vendor/hls.min.js';

/** Builds the document `GET /api/status` answers; SQS trouble degrades the queue parts only. */
export function createStatusReader(options: StatusRoutesOptions): () => Promise<StatusDocument> {
  const timeoutMs = options.sqsTimeoutMs ?? 5000;
  const readDeadLetters = createDeadLetterReader({
    sqs: options.sqs,
    dlqUrl: options.dlqUrl,
    db: options.db,
    timeoutMs,
    ...(options.dlqCacheMs === undefined ? {} : { cacheMs: options.dlqCacheMs }),
  });
  return async () => {
    const [queue, dlq, deliveries, exercises, renders, leases] = await Promise.all([
      readQueueDepth(options.sqs, options.queueUrl, timeoutMs),
      readDeadLetters(),
      listDeliveries(options.db, options.deliveriesLimit ?? 50),
      listExerciseStatus(options.db),
      listRecentRenders(options.db, options.rendersLimit ?? 100),
      listRenderLeases(options.db),
    ]);
    const consumer = options.consumer;
    return {
      generatedAt: new Date().toISOString(),
      queue,
      dlq,
      deliveries: deliveries.map(toDeliveryView),
      exercises: exercises.map(toExerciseView),
      renders: renders.map((row) => {
        const view = toRenderView(row, options.publicBase);
        return options.signPlayback && view.playback_url !== null
          ? { ...view, playback_url: options.signPlayback(view.playback_url) }
          : view;
      }),
      consumers: toConsumersView(
        leases,
        consumer ? { id: consumer.id, rendersInFlight: consumer.rendersInFlight() } : undefined,
      ),
    };
  };
}

/**
 * The status page's routes: `GET /api/status` (the data the page polls) and `GET /vendor/hls.min.js`
 * (the player library). Pass them as `extraRoutes` of createConsumerHttpServer.
 */
export function createStatusRoutes(options: StatusRoutesOptions): Route[] {
  const readStatus = createStatusReader(options);
  return [
    {
      method: 'GET',
      path: '/api/status',
      handler: async ({ res }) => sendJson(res, 200, await readStatus()),
    },
    { method: 'GET', path: HLS_SCRIPT_PATH, handler: createHlsScriptHandler() },
  ];
}

/** Serves hls.js's browser build from the installed `hls.js` package. */
export function createHlsScriptHandler(): Handler {
  let file: string | undefined;
  return async ({ req, res }) => {
    file ??= resolveHlsScript();
    await sendFile(req, res, file, {
      contentType: 'text/javascript; charset=utf-8',
      // The file changes only when the dependency is upgraded, which comes with a restart.
      cacheControl: 'public, max-age=3600',
    });
  };
}

function resolveHlsScript(): string {
  try {
    return createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');
  } catch (error) {
    throw new HttpError(
      500,
      'PLAYER_MISSING',
      'hls.js is not installed: run `pnpm install` in the repository so render-consumer/node_modules/hls.js exists',
      { cause: error },
    );
  }
}
