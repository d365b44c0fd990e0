import type { Queryable } from '../catalog/database.js';
import type { EnsureRender } from '../render/ensure-render.js';
import type { ComposeGate } from '../service/compose-gate.js';
import { createComposeHandler } from './compose-handler.js';
import {
  catalogCheck,
  createReadyzHandler,
  type DescribedCheck,
  healthzHandler,
  type ReadinessCheck,
  type ReadinessLogger,
  ReadinessMonitor,
} from './health.js';
import { guardRoutes } from './listener-policy.js';
import { createMediaHandler } from './media-handler.js';
import { PROMETHEUS_CONTENT_TYPE } from './metrics.js';
import type { PipelineMetrics } from './pipeline-metrics.js';
import { sendText } from './respond.js';
import type { Route } from './router.js';
import { createHttpServer, type HttpServer, type HttpServerLogger } from './server.js';
import { createAssetsHandler, createIndexHandler, STATUS_PAGE_DIR } from './status-page-handler.js';

export interface ConsumerHttpOptions {
  /** COMPOSER_PORT; 0 picks a free port. */
  port: number;
  host?: string;
  db: Queryable;
  ensureRender: Pick<EnsureRender, 'ensure'>;
  /** Bounds the renders compose requests start; beyond its queue they get 503 and Retry-After. */
  composeGate?: ComposeGate;
  metrics: PipelineMetrics;
  /** DATA_DIR: the local publisher's renditions are served from `{dataDir}/media/`. */
  dataDir: string;
  /** COMPOSER_API_TOKEN: when set, every route but /healthz and /readyz needs it as a bearer token. */
  apiToken?: string | undefined;
  /** METRICS_REQUIRE_TOKEN: false leaves `/metrics` open even with a token; default true. */
  metricsRequireToken?: boolean;
  /** Default 64 KiB. */
  maxBodyBytes?: number;
  /** Signs playback URLs handed out by the compose API (BUNNY_STREAM_TOKEN_KEY). */
  signPlayback?: (url: string) => string;
  /** Checks besides the catalog (`catalog`, always there) for `/readyz`, e.g. `{queue: …}`. */
  readinessChecks?: Record<string, ReadinessCheck | DescribedCheck>;
  /** How often the checks are probed in the background (default 5 s) and each probe's deadline (1.5 s). */
  readiness?: { intervalMs?: number; timeoutMs?: number };
  /** Directory with the status page (`index.html`, `assets/`); default the one beside this file. */
  statusPageDir?: string;
  /** Routes added by other components (status page data, ops); matched after the built-in ones. */
  extraRoutes?: readonly Route[];
  shutdownTimeoutMs?: number;
  logger?: HttpServerLogger & ReadinessLogger;
}

/** The consumer's HTTP server and the readiness monitor behind its `/readyz`. */
export interface ConsumerHttpServer extends HttpServer {
  readonly readiness: ReadinessMonitor;
}

/**
 * The consumer's HTTP server: the compose API, health and readiness, metrics, the local
 * publisher's media, and the status page.
 */
export function createConsumerHttpServer(options: ConsumerHttpOptions): ConsumerHttpServer {
  const statusPageDir = options.statusPageDir ?? STATUS_PAGE_DIR;
  const { httpRequests, registry } = options.metrics;
  let server: HttpServer | undefined;
  const readiness = new ReadinessMonitor({
    checks: {
      catalog: { probe: catalogCheck(options.db), target: 'the catalog database' },
      ...options.readinessChecks,
    },
    ...options.readiness,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const routes: Route[] = [
    {
      method: 'POST',
      path: '/v1/compose',
      handler: createComposeHandler({
        ensureRender: options.ensureRender,
        apiToken: options.apiToken,
        ...(options.composeGate ? { gate: options.composeGate } : {}),
        ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
        ...(options.signPlayback ? { signPlayback: options.signPlayback } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      }),
    },
    { method: 'GET', path: '/healthz', handler: healthzHandler },
    {
      method: 'GET',
      path: '/readyz',
      handler: createReadyzHandler({ monitor: readiness, isStopping: () => server?.stopping ?? false }),
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async ({ res }) => sendText(res, 200, await registry.render(), PROMETHEUS_CONTENT_TYPE),
    },
    { method: 'GET', path: '/media/:id/:file', handler: createMediaHandler({ dataDir: options.dataDir }) },
    { method: 'GET', path: '/', handler: createIndexHandler(statusPageDir) },
    { method: 'GET', path: '/assets/*', handler: createAssetsHandler(statusPageDir) },
    ...(options.extraRoutes ?? []),
  ];
  server = createHttpServer({
    port: options.port,
    ...(options.host === undefined ? {} : { host: options.host }),
    routes: guardRoutes(routes, {
      token: options.apiToken,
      ...(options.metricsRequireToken === undefined
        ? {}
        : { metricsRequireToken: options.metricsRequireToken }),
    }),
    ...(options.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: options.shutdownTimeoutMs }),
    ...(options.logger ? { logger: options.logger } : {}),
    onResponse: ({ route, method, status }) => httpRequests.inc({ route, method, status }),
  });
  const http = server;
  return {
    readiness,
    get stopping() {
      return http.stopping;
    },
    get port() {
      return http.port;
    },
    start() {
      readiness.start();
      return http.start().catch((error: unknown) => {
        readiness.stop();
        throw error;
      });
    },
    async stop() {
      try {
        await http.stop();
      } finally {
        readiness.stop();
      }
    },
  };
}
