import path from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger, PipelineConfig } from '@exercise-pipeline/shared';
import { DownloadCache } from '../bundle/download-cache.js';
import { S3BundleSource } from '../bundle/s3-bundle-source.js';
import type { CatalogDb } from '../catalog/database.js';
import { composeRecipe } from '../compose/compose.js';
import { loudnessTargetOf } from '../compose/loudness.js';
import { createPipelineMetrics, type PipelineMetrics } from '../http/pipeline-metrics.js';
import { createPublisher } from '../publish/create-publisher.js';
import type { Publisher } from '../publish/publisher.js';
import { createLeaseOwner, EnsureRender } from '../render/ensure-render.js';
import { DEFAULT_TRANSCODE_BACKOFF, TranscodeWatcher } from '../transcode/transcode-watcher.js';
import { ComposeGate, gateRenders } from './compose-gate.js';

/** Overrides of how the service renders (tests and the demo); production takes every default. */
export interface RenderPipelineTuning {
  publisher?: Publisher;
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
}

/** The rendering side of the service: bundles, render slots, leases, metrics and Bunny's transcodes. */
export interface RenderPipeline {
  bundleSourceFor: (slug: string) => S3BundleSource;
  composeGate: ComposeGate;
  publisher: Publisher;
  consumerIdentity: { id: string; rendersInFlight: () => number };
  /** When each queue message in hand was sent (epoch ms), by message id: the oldest one's age. */
  inFlightSince: Map<string, number>;
  metrics: PipelineMetrics;
  ensureRender: EnsureRender;
  transcodes: TranscodeWatcher;
}

/**
 * Builds the rendering side of the service: bundle sources through the download cache, the render
 * slots in front of the composer and the publisher, metrics, EnsureRender and the transcode watcher.
 */
export function createRenderPipeline(
  options: RenderPipelineTuning & { config: PipelineConfig & { assetsBucket: string }; logger: Logger },
  resources: { s3: S3Client; events: EventBridgeClient; db: CatalogDb; signal: AbortSignal },
): RenderPipeline {
  const { config, logger } = options;
  const { db, signal } = resources;
  const cache = new DownloadCache({
    dir: path.join(config.dataDir, 'cache', 'objects'),
    ...(options.cacheMaxBytes === undefined ? {} : { maxBytes: options.cacheMaxBytes }),
  });
  const bundleSourceFor = (slug: string) =>
    new S3BundleSource({ s3: resources.s3, bucket: config.assetsBucket, slug, cache });
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
    signal,
    logger,
    onRendered: (report) => metrics.observeRender(report),
    firstTranscodeCheckSeconds: pollSeconds,
    ...(options.leaseSeconds === undefined ? {} : { leaseSeconds: options.leaseSeconds }),
  });
  const transcodes = createTranscodeWatcher(options, resources, { publisher, ensureRender, pollSeconds });
  return {
    bundleSourceFor,
    composeGate,
    publisher,
    consumerIdentity,
    inFlightSince,
    metrics,
    ensureRender,
    transcodes,
  };
}

/** Follows Bunny's transcodes of uploaded renders: polls them with a doubling wait up to the cap. */
function createTranscodeWatcher(
  options: RenderPipelineTuning & { config: PipelineConfig; logger: Logger },
  resources: { events: EventBridgeClient; db: CatalogDb },
  parts: { publisher: Publisher; ensureRender: EnsureRender; pollSeconds: number },
): TranscodeWatcher {
  const { config, logger } = options;
  const { pollSeconds } = parts;
  return new TranscodeWatcher({
    db: resources.db,
    publisher: parts.publisher,
    ensureRender: parts.ensureRender,
    graceSeconds: config.renderGraceSeconds,
    events: resources.events,
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
}
