import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  createEventBridgeClient,
  createS3Client,
  createSqsClient,
  type Logger,
  type PipelineConfig,
  finishesWithin,
} from '@exercise-pipeline/shared';
import { type CatalogDb, openCatalogDb } from '../catalog/database.js';
import { migrateCatalog } from '../catalog/migrate.js';
import { ManifestMemo } from '../consumer/manifest-memo.js';
import { defaultStatusPageUrl } from '../consumer/preview-link.js';
import { refreshExercise } from '../consumer/refresh-exercise.js';
import { type QueueConsumerTuning, RenderQueueConsumer } from '../consumer/render-queue-consumer.js';
import { DeferredCopies } from '../consumer/quiet-period.js';
import { createBunnyWebhookHandler } from '../http/bunny-webhook-handler.js';
import { type ConsumerHttpServer, createConsumerHttpServer } from '../http/consumer-http.js';
import type { PipelineMetrics } from '../http/pipeline-metrics.js';
import type { Route } from '../http/router.js';
import { loopbackUrl, removeConsumerApiAddress, writeConsumerApiAddress } from '../ops/consumer-api.js';
import { createOpsRoutes } from '../ops/ops-routes.js';
import { playbackSigner } from '../publish/playback-token.js';
import type { EnsureRender } from '../render/ensure-render.js';
import { readQueueDepth } from '../status/queue-snapshot.js';
import { createStatusRoutes } from '../status/status-api.js';
import type { ComposeGate } from './compose-gate.js';
import { createRenderPipeline, type RenderPipeline, type RenderPipelineTuning } from './render-pipeline.js';
import { claimRenderScratch, type RenderScratch } from './render-scratch.js';

/** How long stop() waits for aborted renders (and compose requests) after the deadline. */
const RENDER_STOP_GRACE_MS = 10_000;

/** The settings `pnpm consumer run` needs, validated by the caller (`requireConfig`). */
export type RenderServiceConfig = PipelineConfig & {
  assetsBucket: string;
  renderQueueUrl: string;
  renderDlqUrl: string;
};

export interface RenderServiceOptions extends RenderPipelineTuning {
  config: RenderServiceConfig;
  logger: Logger;
  /** Overrides for tests and the demo; production builds everything from `config`. */
  port?: number;
  host?: string;
  clients?: { s3?: S3Client; sqs?: SQSClient; events?: EventBridgeClient };
  /** Queue consumer tuning (short waits and retries in tests). */
  consumer?: QueueConsumerTuning;
  /** `/readyz` probes: every `intervalMs` (default 5 s), each bounded by `timeoutMs` (default 1.5 s). */
  readiness?: { intervalMs?: number; timeoutMs?: number };
  /** Extra HTTP routes (the status page's data). */
  extraRoutes?: (service: { db: CatalogDb; sqs: SQSClient }) => readonly Route[];
}

export interface RenderService {
  readonly url: string;
  readonly port: number;
  readonly db: CatalogDb;
  readonly metrics: PipelineMetrics;
  readonly ensureRender: EnsureRender;
  readonly composeGate: ComposeGate;
  /** Graceful stop: polling first, then in-flight renders within `deadlineMs`, then HTTP and DB. */
  stop(deadlineMs?: number): Promise<void>;
}

/**
 * Starts everything `pnpm consumer run` is: catalog database (migrated), S3 bundle sources through
 * the download cache, the composer, the publisher, the HTTP server and the render queue consumer.
 */
export async function startRenderService(options: RenderServiceOptions): Promise<RenderService> {
  const { config, logger } = options;
  const aws = { region: config.awsRegion, endpoint: config.awsEndpointUrl };
  const clients: ServiceClients = {
    s3: options.clients?.s3 ?? createS3Client(aws),
    sqs: options.clients?.sqs ?? createSqsClient(aws),
    events: options.clients?.events ?? createEventBridgeClient(aws),
  };
  const db = await openCatalogDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const shutdown = new AbortController();
  let scratch: RenderScratch | undefined;
  try {
    scratch = await prepareCatalogAndScratch(db, config, logger);
    const pipeline = createRenderPipeline(options, { ...clients, db, signal: shutdown.signal });
    const http = await startHttpApi(options, clients, db, pipeline);
    const consumer = createQueueConsumer(options, clients, db, pipeline, http.statusPageUrl, shutdown.signal);
    consumer.start();
    pipeline.transcodes.start();
    logger.info(
      { url: http.url, queue: config.renderQueueUrl, database: db.kind, publish: config.publishTarget },
      'consumer running',
    );

    const running: RunningService = { options, clients, db, scratch, shutdown, pipeline, http, consumer };
    let stopped: Promise<void> | undefined;
    return {
      url: http.url,
      port: http.port,
      db,
      metrics: pipeline.metrics,
      ensureRender: pipeline.ensureRender,
      composeGate: pipeline.composeGate,
      stop(deadlineMs = 30_000) {
        stopped ??= stopRenderService(running, deadlineMs);
        return stopped;
      },
    };
  } catch (error) {
    await db.close().catch(() => {});
    await scratch?.release().catch(() => {});
    throw error;
  }
}

interface ServiceClients {
  s3: S3Client;
  sqs: SQSClient;
  events: EventBridgeClient;
}

interface StartedHttpApi {
  http: ConsumerHttpServer;
  url: string;
  port: number;
  statusPageUrl: string;
  /** Whether the API's address was written under DATA_DIR for the ops commands beside it. */
  announced: boolean;
}

interface RunningService {
  options: RenderServiceOptions;
  clients: ServiceClients;
  db: CatalogDb;
  scratch: RenderScratch;
  shutdown: AbortController;
  pipeline: RenderPipeline;
  http: StartedHttpApi;
  consumer: RenderQueueConsumer;
}

/** Migrates the catalog and takes the render scratch folder, saying what either did. */
async function prepareCatalogAndScratch(
  db: CatalogDb,
  config: RenderServiceConfig,
  logger: Logger,
): Promise<RenderScratch> {
  const applied = await migrateCatalog(db);
  if (applied.length > 0) logger.info({ migrations: applied, database: db.kind }, 'catalog migrated');
  const scratch = await claimRenderScratch(config.dataDir);
  if (scratch.removed > 0) {
    logger.info({ removed: scratch.removed }, 'removed temp render files an earlier run left behind');
  } else if (scratch.sharedWith.length > 0) {
    logger.info(
      { consumers: scratch.sharedWith },
      'DATA_DIR is shared with running consumers: temp renders kept',
    );
  }
  return scratch;
}

/** Starts the HTTP server (compose API, health, metrics, webhook, status page, ops) and announces it. */
async function startHttpApi(
  options: RenderServiceOptions,
  clients: ServiceClients,
  db: CatalogDb,
  pipeline: RenderPipeline,
): Promise<StartedHttpApi> {
  const { config, logger } = options;
  const signPlayback = playbackSigner(
    config.bunny?.tokenKey === undefined
      ? undefined
      : {
          tokenKey: config.bunny.tokenKey,
          expirySeconds: config.bunny.tokenExpirySeconds,
          cdnHostname: config.bunny.cdnHostname,
        },
  );
  const http = createConsumerHttpServer({
    signPlayback,
    port: options.port ?? config.composerPort,
    host: options.host ?? config.composerHost,
    db,
    ensureRender: pipeline.ensureRender,
    composeGate: pipeline.composeGate,
    metrics: pipeline.metrics,
    dataDir: config.dataDir,
    apiToken: config.composerApiToken,
    metricsRequireToken: config.metricsRequireToken,
    readinessChecks: { queue: renderQueueReadiness(options, clients.sqs) },
    ...(options.readiness ? { readiness: options.readiness } : {}),
    extraRoutes: serviceRoutes(options, clients, db, pipeline, signPlayback),
    logger,
  });
  const { port, url, address } = await http.start();
  const statusPageUrl = config.statusPageUrl ?? defaultStatusPageUrl(address, port);
  // PGlite is this process's alone: the ops commands beside it read the catalog through this API.
  const announced = db.kind === 'pglite';
  if (announced) {
    await writeConsumerApiAddress(config.dataDir, { pid: process.pid, url: loopbackUrl(address, port) });
  }
  return { http, url, port, statusPageUrl, announced };
}

/** The routes beside the compose API: Bunny's webhook, the status page's data, ops, and any extra. */
function serviceRoutes(
  options: RenderServiceOptions,
  clients: ServiceClients,
  db: CatalogDb,
  pipeline: RenderPipeline,
  signPlayback: (url: string) => string,
): Route[] {
  const { config, logger } = options;
  return [
    {
      method: 'POST',
      path: '/v1/bunny/webhook',
      // Bunny cannot send COMPOSER_API_TOKEN: the webhook proves itself with its signature.
      public: true,
      handler: createBunnyWebhookHandler({
        db,
        watcher: pipeline.transcodes,
        videoStatus: (videoId) => pipeline.publisher.status(videoId),
        readOnlyApiKey: config.bunny?.readOnlyApiKey,
        libraryId: config.bunny?.libraryId,
        logger,
      }),
    },
    ...createStatusRoutes({
      db,
      sqs: clients.sqs,
      queueUrl: config.renderQueueUrl,
      dlqUrl: config.renderDlqUrl,
      signPlayback,
      consumer: pipeline.consumerIdentity,
    }),
    ...createOpsRoutes({ db }),
    ...(options.extraRoutes?.({ db, sqs: clients.sqs }) ?? []),
  ];
}

/** `/readyz`'s check of the render queue: its depth must be readable within the probe's deadline. */
function renderQueueReadiness(options: RenderServiceOptions, sqs: SQSClient) {
  const queueUrl = options.config.renderQueueUrl;
  const timeoutMs = options.readiness?.timeoutMs ?? 1500;
  return {
    target: `the render queue ${queueUrl}`,
    probe: async (signal: AbortSignal) => {
      // The monitor's deadline (timeoutMs) decides "did not answer" and then aborts the read through
      // `signal`; the read's own timer runs a second longer, only a backstop, so the two never race
      // to word the same outage two ways.
      const queue = await readQueueDepth(sqs, queueUrl, timeoutMs + 1000, signal);
      if (queue.depth === null) throw new Error(queue.error ?? `${queueUrl} did not answer`);
    },
  };
}

function createQueueConsumer(
  options: RenderServiceOptions,
  clients: ServiceClients,
  db: CatalogDb,
  pipeline: RenderPipeline,
  statusPageUrl: string,
  shutdownSignal: AbortSignal,
): RenderQueueConsumer {
  const { config, logger } = options;
  const { metrics, inFlightSince } = pipeline;
  const refreshDeps = {
    db,
    s3: clients.s3,
    bucket: config.assetsBucket,
    ensureRender: pipeline.ensureRender,
    events: clients.events,
    eventBusName: config.eventBusName,
    statusPageUrl,
    quietSeconds: config.quietSeconds,
    graceSeconds: config.renderGraceSeconds,
    bundleSourceFor: pipeline.bundleSourceFor,
    manifests: new ManifestMemo(),
    deferredCopies: new DeferredCopies(),
    logger,
  };
  return new RenderQueueConsumer({
    db,
    sqs: clients.sqs,
    queueUrl: config.renderQueueUrl,
    dlqUrl: config.renderDlqUrl,
    bucket: config.assetsBucket,
    logger,
    ...options.consumer,
    refresh: (request) => refreshExercise(refreshDeps, request),
    onOutcome: (outcome) => {
      if (outcome === 'received') metrics.messagesReceived.inc();
      else if (outcome === 'deferred') metrics.messagesDeferred.inc();
      else if (outcome === 'failed') metrics.messagesFailed.inc({ retryable: 'true' });
      else if (outcome === 'dead-lettered') metrics.messagesFailed.inc({ retryable: 'false' });
      else metrics.messagesProcessed.inc();
    },
    shutdownSignal,
    onMessageStart: (id, sentAt) => inFlightSince.set(id, sentAt),
    onMessageEnd: (id) => inFlightSince.delete(id),
  });
}

/** Polling first, then in-flight renders within `deadlineMs`, then HTTP, the catalog and the clients. */
async function stopRenderService(service: RunningService, deadlineMs: number): Promise<void> {
  const { options, clients, pipeline } = service;
  const { config, logger } = options;
  const { ensureRender } = pipeline;
  const abortRenders = () => service.shutdown.abort(new Error('the consumer is shutting down'));
  const stopStarted = Date.now();
  await pipeline.transcodes.stop();
  await service.consumer.stop(deadlineMs, abortRenders);
  // Renders the compose API started get the same deadline as queue messages, then are
  // aborted too (a queue message in hand at the deadline has aborted them already).
  const left = Math.max(0, deadlineMs - (Date.now() - stopStarted));
  if (!(await finishesWithin(ensureRender.drain(), left))) abortRenders();
  // Aborted renders finish in moments; one that ignores its signal must not hold the exit.
  if (!(await finishesWithin(ensureRender.drain(), RENDER_STOP_GRACE_MS))) {
    logger.warn({ renders: ensureRender.inFlight }, 'renders still running at shutdown: closing anyway');
  }
  if (service.http.announced) await removeConsumerApiAddress(config.dataDir).catch(() => {});
  await service.http.http.stop();
  await service.db.close();
  await service.scratch.release().catch(() => {});
  if (!options.clients?.s3) clients.s3.destroy();
  if (!options.clients?.sqs) clients.sqs.destroy();
  if (!options.clients?.events) clients.events.destroy();
  logger.info({}, 'consumer stopped');
}
