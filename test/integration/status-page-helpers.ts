/**
 * Shared set-up of the status page's browser tests: a PGlite catalog and the local topology on
 * moto, the consumer's HTTP server with the status routes, and Debian's Chromium (headless). Each
 * piece is tracked in the caller's `opened` list, closed in reverse order by its afterAll.
 */
import path from 'node:path';
import { ensureLocalTopology, type LocalTopology } from '@exercise-pipeline/infra';
import { type CatalogDb, migrateCatalog, openCatalogDb } from '@exercise-pipeline/render-consumer/catalog';
import { createConsumerHttpServer, createPipelineMetrics } from '@exercise-pipeline/render-consumer/http';
import type { EnsureRender } from '@exercise-pipeline/render-consumer/render';
import { createStatusRoutes } from '@exercise-pipeline/render-consumer/status';
import { type BrowserContext, chromium } from 'playwright-core';
import {
  type AwsClients,
  createAwsClients,
  createTempDir,
  type TempDir,
  type TrackedResource,
  trackResource,
  uniqueName,
} from '../harness/index.js';

export const CHROMIUM = '/usr/bin/chromium';

export interface StatusCatalog {
  temp: TempDir;
  dataDir: string;
  db: CatalogDb;
  clients: AwsClients & { close(): Promise<void> };
  topology: LocalTopology;
}

/** A migrated PGlite catalog under a new temp dir `label`, and a fresh local topology on moto. */
export async function openStatusCatalog(
  opened: TrackedResource[],
  label: string,
  endpoint: string,
): Promise<StatusCatalog> {
  const temp = await createTempDir(label);
  opened.push(trackResource('temp-dir', temp.path, () => temp.remove()));
  const dataDir = path.join(temp.path, 'data');
  const db = await openCatalogDb({ dataDir });
  opened.push(trackResource('database', `pglite ${dataDir}`, () => db.close()));
  await migrateCatalog(db);
  const clients = createAwsClients(endpoint);
  opened.push(trackResource('aws-clients', endpoint, () => clients.close()));
  const topology = await ensureLocalTopology(clients, {
    bucket: uniqueName('assets'),
    queueName: uniqueName('renders'),
    dlqName: uniqueName('renders-dlq'),
  });
  return { temp, dataDir, db, clients, topology };
}

/** The consumer's HTTP server on 127.0.0.1 with the status routes of `catalog`, started; its URL. */
export async function startStatusServer(
  opened: TrackedResource[],
  catalog: StatusCatalog,
  options: { ensureRender: Pick<EnsureRender, 'ensure'>; apiToken?: string; dlqCacheMs?: number },
): Promise<string> {
  const { db, clients, topology, dataDir } = catalog;
  const server = createConsumerHttpServer({
    port: 0,
    host: '127.0.0.1',
    db,
    ensureRender: options.ensureRender,
    metrics: createPipelineMetrics({ db }),
    dataDir,
    apiToken: options.apiToken,
    extraRoutes: createStatusRoutes({
      db,
      sqs: clients.sqs,
      queueUrl: topology.queueUrl,
      dlqUrl: topology.dlqUrl,
      ...(options.dlqCacheMs === undefined ? {} : { dlqCacheMs: options.dlqCacheMs }),
    }),
    shutdownTimeoutMs: 2000,
  });
  const baseUrl = (await server.start()).url;
  opened.push(trackResource('server', `consumer http ${baseUrl}`, () => server.stop()));
  return baseUrl;
}

/** Headless Chromium on a fresh profile (a temp dir `profileLabel`). */
export async function launchChromium(
  opened: TrackedResource[],
  profileLabel: string,
  options: { args: string[]; viewport?: { width: number; height: number } },
): Promise<BrowserContext> {
  const profile = await createTempDir(profileLabel);
  opened.push(trackResource('temp-dir', profile.path, () => profile.remove()));
  const browser = await chromium.launchPersistentContext(profile.path, {
    executablePath: CHROMIUM,
    headless: true,
    ...options,
  });
  opened.push(trackResource('browser', 'headless chromium', () => browser.close()));
  return browser;
}
