import type { Queryable } from '../catalog/database.js';
import { countLeasesHeld } from '../catalog/leases.js';
import { countRendersByStatus, type RenderStatus } from '../catalog/renders.js';
import type { RenderReport } from '../render/ensure-render.js';
import { type Counter, type Gauge, type Histogram, MetricsRegistry } from './metrics.js';

const RENDER_STATUSES: readonly RenderStatus[] = [
  'pending',
  'encoding',
  'ready',
  'failed',
  'superseded',
  'deleted',
];

/** Seconds; a catalog preview takes a few seconds, a long prescription re-encoded a few minutes. */
const RENDER_DURATION_BUCKETS = [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];

/** The consumer's metrics, one registry for `/metrics`. The queue consumer updates the message ones. */
export interface PipelineMetrics {
  registry: MetricsRegistry;
  /** Queue messages taken from SQS. */
  messagesReceived: Counter;
  /** Messages handled to the end (including the ones that decided there was nothing to do). */
  messagesProcessed: Counter;
  /** Messages whose handling failed; label `retryable` says whether the queue will retry them. */
  messagesFailed: Counter;
  /** Messages put back on the queue for later (quiet period, render held elsewhere). */
  messagesDeferred: Counter;
  /** Age of the oldest message the consumer holds or sees waiting, in seconds. */
  oldestMessageAge: Gauge;
  /** Compose plus publish time of every render this process made, by outcome. */
  renderDuration: Histogram;
  /** Catalog rows of `exercise_renders` by status, read from the database when scraped. */
  renders: Gauge;
  /** HTTP answers by route pattern, method and status code. */
  httpRequests: Counter;
  /** Renders in flight in this process, labelled with the consumer's id. */
  consumerRendersInFlight: Gauge;
  /** Unexpired render leases this consumer holds in the catalog, labelled with its id. */
  consumerLeasesHeld: Gauge;
  /** Feeds EnsureRender's `onRendered` into `renderDuration`. */
  observeRender(report: RenderReport): void;
}

export interface PipelineMetricsOptions {
  /** The catalog; without it `renders` stays empty. */
  db?: Queryable;
  /** Reads the oldest message age when scraped; the queue consumer may also set it later. */
  oldestMessageAgeSeconds?: () => number | undefined | Promise<number | undefined>;
  /** The render slots (COMPOSE_MAX_CONCURRENT); without it the slot gauges stay 0. */
  renderSlots?: { running: number; waiting: number; peak: number; rejected: number; maxConcurrent: number };
  /**
   * This consumer: its id (the lease owner it records in the catalog) and its renders in flight.
   * Without it the consumer gauges stay empty; their leases are read from `db` when scraped.
   */
  consumer?: { id: string; rendersInFlight: () => number };
}

export function createPipelineMetrics(options: PipelineMetricsOptions = {}): PipelineMetrics {
  const registry = new MetricsRegistry();
  const prefix = 'exercise_pipeline';
  const messagesReceived = registry.counter({
    name: `${prefix}_messages_received_total`,
    help: 'Queue messages received from the render queue.',
  });
  const messagesProcessed = registry.counter({
    name: `${prefix}_messages_processed_total`,
    help: 'Queue messages handled to the end and deleted from the queue.',
  });
  const messagesFailed = registry.counter({
    name: `${prefix}_messages_failed_total`,
    help: 'Queue messages whose handling failed, by whether the queue retries them.',
    labelNames: ['retryable'],
  });
  const messagesDeferred = registry.counter({
    name: `${prefix}_messages_deferred_total`,
    help: 'Queue messages returned to the queue to be handled later.',
  });
  const oldestMessageAge = registry.gauge({
    name: `${prefix}_oldest_message_age_seconds`,
    help: 'Age of the oldest message waiting in or held from the render queue, in seconds.',
    ...(options.oldestMessageAgeSeconds ? { collect: ageCollector(options.oldestMessageAgeSeconds) } : {}),
  });
  const renderDuration = registry.histogram({
    name: `${prefix}_render_duration_seconds`,
    help: 'Time to compose and publish one render, by outcome.',
    labelNames: ['outcome'],
    buckets: RENDER_DURATION_BUCKETS,
  });
  const db = options.db;
  const renders = registry.gauge({
    name: `${prefix}_renders`,
    help: 'Rows of exercise_renders in the catalog, by status.',
    labelNames: ['status'],
    ...(db ? { collect: (gauge: Gauge) => collectRenderCounts(db, gauge) } : {}),
  });
  const httpRequests = registry.counter({
    name: `${prefix}_http_requests_total`,
    help: 'HTTP answers of the consumer, by route, method and status code.',
    labelNames: ['route', 'method', 'status'],
  });
  const consumer = options.consumer;
  const consumerRendersInFlight = registry.gauge({
    name: `${prefix}_consumer_renders_in_flight`,
    help: 'Renders in flight in this consumer process (rendering, uploading, or waiting for a lease), by consumer id.',
    labelNames: ['consumer'],
    ...(consumer
      ? { collect: (gauge: Gauge) => gauge.set({ consumer: consumer.id }, consumer.rendersInFlight()) }
      : {}),
  });
  const consumerLeasesHeld = registry.gauge({
    name: `${prefix}_consumer_leases_held`,
    help: 'Unexpired render leases this consumer holds in the catalog, by consumer id.',
    labelNames: ['consumer'],
    ...(consumer && db
      ? {
          collect: async (gauge: Gauge) =>
            gauge.set({ consumer: consumer.id }, await countLeasesHeld(db, consumer.id)),
        }
      : {}),
  });
  const slots = options.renderSlots;
  const slotGauge = (name: string, help: string, read: () => number) =>
    registry.gauge({
      name: `${prefix}_${name}`,
      help,
      ...(slots ? { collect: (gauge: Gauge) => gauge.set(undefined, read()) } : {}),
    });
  slotGauge(
    'renders_running',
    'Renders (ffmpeg plus upload) in flight in this process.',
    () => slots!.running,
  );
  slotGauge(
    'renders_running_peak',
    'The most renders that ran at once since the process started.',
    () => slots!.peak,
  );
  slotGauge(
    'renders_max_concurrent',
    'COMPOSE_MAX_CONCURRENT: the bound on renders in flight.',
    () => slots!.maxConcurrent,
  );
  slotGauge('compose_requests_waiting', 'Compose requests waiting for a render slot.', () => slots!.waiting);
  slotGauge(
    'compose_requests_rejected',
    'Compose requests refused with 503 because the wait queue was full, since the process started.',
    () => slots!.rejected,
  );
  return {
    registry,
    messagesReceived,
    messagesProcessed,
    messagesFailed,
    messagesDeferred,
    oldestMessageAge,
    renderDuration,
    renders,
    httpRequests,
    consumerRendersInFlight,
    consumerLeasesHeld,
    observeRender(report) {
      renderDuration.observe({ outcome: report.outcome }, report.seconds);
    },
  };
}

/** Wraps an age source for a gauge collector; `undefined` means "no message", written as 0. */
export function ageCollector(
  read: () => number | undefined | Promise<number | undefined>,
): (gauge: Gauge) => Promise<void> {
  return async (gauge) => {
    gauge.set(undefined, (await read()) ?? 0);
  };
}

async function collectRenderCounts(db: Queryable, gauge: Gauge): Promise<void> {
  const rows = await countRendersByStatus(db);
  gauge.reset();
  // Every status is written, zero included, so a dashboard sees a series drop to 0 instead of vanish.
  for (const status of RENDER_STATUSES) gauge.set({ status }, 0);
  for (const row of rows) gauge.set({ status: row.status }, row.count);
}
