import path from 'node:path';
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
import { DownloadCache } from '../bundle/download-cache.js';
import { S3BundleSource } from '../bundle/s3-bundle-source.js';
import { type CatalogDb, openCatalogDb } from '../catalog/database.js';
import { migrateCatalog } from '../catalog/migrate.js';
import { composeRecipe } from '../compose/compose.js';
import { loudnessTargetOf } from '../compose/loudness.js';
import { ManifestMemo } from '../consumer/manifest-memo.js';
import { defaultStatusPageUrl } from '../consumer/preview-link.js';
import { refreshExercise } from '../consumer/refresh-exercise.js';
import { RenderQueueConsumer } from '../consumer/render-queue-consumer.js';
import { DeferredCopies } from '../consumer/quiet-period.js';
import { createBunnyWebhookHandler } from '../http/bunny-webhook-handler.js';
import { createConsumerHttpServer } from '../http/consumer-http.js';
import { createPipelineMetrics, type PipelineMetrics } from '../http/pipeline-metrics.js';
import type { Route } from '../http/router.js';
import { loopbackUrl, removeConsumerApiAddress, writeConsumerApiAddress } from '../ops/consumer-api.js';
import { createOpsRoutes } from '../ops/ops-routes.js';
import { createPublisher } from '../publish/create-publisher.js';
import { playbackSigner } from '../publish/playback-token.js';
import type { Publisher } from '../publish/publisher.js';
import { createLeaseOwner, EnsureRender } from '../render/ensure-render.js';
import { readQueueDepth } from '../status/queue-snapshot.js';
import { createStatusRoutes } from '../status/status-api.js';
import { DEFAULT_TRANSCODE_BACKOFF, TranscodeWatcher } from '../transcode/transcode-watcher.js';
import { ComposeGate, gateRenders } from './compose-gate.js';
import { claimRenderScratch, type RenderScratch } from './render-scratch.js';

/** How long stop() waits for aborted renders (and compose requests) after the deadline. */
const RENDER_STOP_GRACE_MS = 10_000;

/** The settings `pnpm consumer run` needs, validated by the caller (`requireConfig`). */
export type RenderServiceConfig = PipelineConfig & {
  assetsBucket: string;
  renderQueueUrl: string;
  renderDlqUrl: string;
};

export interface RenderServiceOptions {
  config: RenderServiceConfig;
  logger: Logger;
  /** Overrides for tests and the demo; production builds everything from `config`. */
  port?: number;
  host?: string;
  publisher?: Publisher;
  clients?: { s3?: S3Client; sqs?: SQSClient; events?: EventBridgeClient };
  /** Queue consumer tuning (short waits and retries in tests). */
  consumer?: {
    visibilityTimeoutSeconds?: number;
    heartbeatSeconds?: number;
    retryBaseSeconds?: number;
    retryMaxSeconds?: number;
    waitTimeSeconds?: number;
    concurrency?: number;
  };
  /** Render slots: COMPOSE_MAX_CONCURRENT (default from the CPU count) and COMPOSE_QUEUE_SIZE (16). */
  compose?: { maxConcurrent?: number; queueSize?: number };
  /** Render lease length (seconds) and how long to wait for a render another process holds. */
  leaseSeconds?: number;
  /**
   * Seconds from an upload to Bunny to the first poll of its transcode; the wait doubles per poll up
   * to 60 s (or this, when larger). Default 5. The webhook, when configured, is usually faster.
   */
  transcodePollSeconds?: number;
  /** How often the transcode poll looks for due renders; default 2 s. */
  transcodeTickMs?: number;
  /** An unfinished transcode counts as failed after this long; default 4 h. */
  transcodeTimeoutSeconds?: number;
  /** Download cache bound in bytes; default 10 GiB. */
  cacheMaxBytes?: number;
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
  const s3 = options.clients?.s3 ?? createS3Client(aws);
  const sqs = options.clients?.sqs ?? createSqsClient(aws);
  const events = options.clients?.events ?? createEventBridgeClient(aws);
  const db = await openCatalogDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const shutdown = new AbortController();
  let scratch: RenderScratch | undefined;
  try {
    const applied = await migrateCatalog(db);
    if (applied.length > 0) logger.info({ migrations: applied, database: db.kind }, 'catalog migrated');
    scratch = await claimRenderScratch(config.dataDir);
    if (scratch.removed > 0) {
      logger.info({ removed: scratch.removed }, 'removed temp render files an earlier run left behind');
    } else if (scratch.sharedWith.length > 0) {
      logger.info(
        { consumers: scratch.sharedWith },
        'DATA_DIR is shared with running consumers: temp renders kept',
      );
    }

    const cache = new DownloadCache({
      dir: path.join(config.dataDir, 'cache', 'objects'),
      ...(options.cacheMaxBytes === undefined ? {} : { maxBytes: options.cacheMaxBytes }),
    });
    const bundleSourceFor = (slug: string) =>
      new S3BundleSource({ s3, bucket: config.assetsBucket, slug, cache });
    const composeGate = new ComposeGate(options.compose);
    const publisher = options.publisher ?? createPublisher(config, { logger });
    // Renders and uploads take a render slot; the transcode watcher's status polls do not.
    const loudness = loudnessTargetOf(config);
    const gated = gateRenders(composeGate, (compose) => composeRecipe({ ...compose, loudness }), publisher);
    const inFlightSince = new Map<string, number>();
    // This consumer's id is the lease owner it records in the catalog. The in-flight count is read
    // when scraped, after EnsureRender (created just below) exists.
    const consumerIdentity = {
      id: createLeaseOwner(),
      rendersInFlight: () => ensureRender.inFlight,
    };
    const metrics = createPipelineMetrics({
      db,
      renderSlots: composeGate,
      consumer: consumerIdentity,
      oldestMessageAgeSeconds: () => {
        const oldest = Math.min(...inFlightSince.values());
        return Number.isFinite(oldest) ? (Date.now() - oldest) / 1000 : undefined;
      },
    });
    const pollSeconds = options.transcodePollSeconds ?? DEFAULT_TRANSCODE_BACKOFF.baseSeconds;
    const ensureRender = new EnsureRender({
      db,
      owner: consumerIdentity.id,
      bundleSourceFor,
      compose: gated.compose,
      publisher: gated.publisher,
      dataDir: config.dataDir,
      signal: shutdown.signal,
      logger,
      onRendered: (report) => metrics.observeRender(report),
      firstTranscodeCheckSeconds: pollSeconds,
      ...(options.leaseSeconds === undefined ? {} : { leaseSeconds: options.leaseSeconds }),
    });
    const transcodes = new TranscodeWatcher({
      db,
      publisher,
      ensureRender,
      graceSeconds: config.renderGraceSeconds,
      events,
      eventBusName: config.eventBusName,
      backoff: {
        baseSeconds: pollSeconds,
        maxSeconds: Math.max(pollSeconds, DEFAULT_TRANSCODE_BACKOFF.maxSeconds),
      },
      ...(options.transcodeTickMs === undefined ? {} : { tickMs: options.transcodeTickMs }),
      ...(options.transcodeTimeoutSeconds === undefined
        ? {}
        : { maxEncodingSeconds: options.transcodeTimeoutSeconds }),
      logger,
    });

    const signPlayback = playbackSigner(
      config.bunny?.tokenKey === undefined
        ? undefined
        : {
            tokenKey: config.bunny.tokenKey,
            expirySeconds: config.bunny.tokenExpirySeconds,
            cdnHostname: config.bunny.cdnHostname,
          },
    );
    const readinessTimeoutMs = options.readiness?.timeoutMs ?? 1500;
    const http = createConsumerHttpServer({
      signPlayback,
      port: options.port ?? config.composerPort,
      host: options.host ?? config.composerHost,
      db,
      ensureRender,
      composeGate,
      metrics,
      dataDir: config.dataDir,
      apiToken: config.composerApiToken,
      metricsRequireToken: config.metricsRequireToken,
      readinessChecks: {
        queue: {
          target: `the render queue ${config.renderQueueUrl}`,
          probe: async () => {
            const queue = await readQueueDepth(sqs, config.renderQueueUrl, readinessTimeoutMs);
            if (queue.depth === null)
              throw new Error(queue.error ?? `${config.renderQueueUrl} did not answer`);
          },
        },
      },
      ...(options.readiness ? { readiness: options.readiness } : {}),
      extraRoutes: [
        {
          method: 'POST',
          path: '/v1/bunny/webhook',
          // Bunny cannot send COMPOSER_API_TOKEN: the webhook proves itself with its signature.
          public: true,
          handler: createBunnyWebhookHandler({
            db,
            watcher: transcodes,
            videoStatus: (videoId) => publisher.status(videoId),
            readOnlyApiKey: config.bunny?.readOnlyApiKey,
            libraryId: config.bunny?.libraryId,
            logger,
          }),
        },
        ...createStatusRoutes({
          db,
          sqs,
          queueUrl: config.renderQueueUrl,
          dlqUrl: config.renderDlqUrl,
          signPlayback,
          consumer: consumerIdentity,
        }),
        ...createOpsRoutes({ db }),
        ...(options.extraRoutes?.({ db, sqs }) ?? []),
      ],
      logger,
    });
    const { port, url, address } = await http.start();
    const statusPageUrl = config.statusPageUrl ?? defaultStatusPageUrl(address, port);
    // PGlite is this process's alone: the ops commands beside it read the catalog through this API.
    const announce = db.kind === 'pglite';
    if (announce) {
      await writeConsumerApiAddress(config.dataDir, { pid: process.pid, url: loopbackUrl(address, port) });
    }

    const manifests = new ManifestMemo();
    const deferredCopies = new DeferredCopies();
    const consumer = new RenderQueueConsumer({
      db,
      sqs,
      queueUrl: config.renderQueueUrl,
      dlqUrl: config.renderDlqUrl,
      bucket: config.assetsBucket,
      logger,
      ...options.consumer,
      refresh: (request) =>
        refreshExercise(
          {
            db,
            s3,
            bucket: config.assetsBucket,
            ensureRender,
            events,
            eventBusName: config.eventBusName,
            statusPageUrl,
            quietSeconds: config.quietSeconds,
            graceSeconds: config.renderGraceSeconds,
            bundleSourceFor,
            manifests,
            deferredCopies,
            logger,
          },
          request,
        ),
      onOutcome: (outcome) => {
        if (outcome === 'received') metrics.messagesReceived.inc();
        else if (outcome === 'deferred') metrics.messagesDeferred.inc();
        else if (outcome === 'failed') metrics.messagesFailed.inc({ retryable: 'true' });
        else if (outcome === 'dead-lettered') metrics.messagesFailed.inc({ retryable: 'false' });
        else metrics.messagesProcessed.inc();
      },
      shutdownSignal: shutdown.signal,
      onMessageStart: (id, sentAt) => inFlightSince.set(id, sentAt),
      onMessageEnd: (id) => inFlightSince.delete(id),
    });
    consumer.start();
    transcodes.start();
    logger.info(
      { url, queue: config.renderQueueUrl, database: db.kind, publish: config.publishTarget },
      'consumer running',
    );

    let stopped: Promise<void> | undefined;
    return {
      url,
      port,
      db,
      metrics,
      ensureRender,
      composeGate,
      stop(deadlineMs = 30_000) {
        stopped ??= (async () => {
          const abortRenders = () => shutdown.abort(new Error('the consumer is shutting down'));
          const stopStarted = Date.now();
          await transcodes.stop();
          await consumer.stop(deadlineMs, abortRenders);
          // Renders the compose API started get the same deadline as queue messages, then are
          // aborted too (a queue message in hand at the deadline has aborted them already).
          const left = Math.max(0, deadlineMs - (Date.now() - stopStarted));
          if (!(await finishesWithin(ensureRender.drain(), left))) abortRenders();
          // Aborted renders finish in moments; one that ignores its signal must not hold the exit.
          if (!(await finishesWithin(ensureRender.drain(), RENDER_STOP_GRACE_MS))) {
            logger.warn(
              { renders: ensureRender.inFlight },
              'renders still running at shutdown: closing anyway',
            );
          }
          if (announce) await removeConsumerApiAddress(config.dataDir).catch(() => {});
          await http.stop();
          await db.close();
          await scratch?.release().catch(() => {});
          if (!options.clients?.s3) s3.destroy();
          if (!options.clients?.sqs) sqs.destroy();
          if (!options.clients?.events) events.destroy();
          logger.info({}, 'consumer stopped');
        })();
        return stopped;
      },
    };
  } catch (error) {
    await db.close().catch(() => {});
    await scratch?.release().catch(() => {});
    throw error;
  }
}
