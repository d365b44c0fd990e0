/**
 * Shared set-up of the consumer's end-to-end tests: the local topology on moto (bucket, rule, render
 * queue, DLQ), a second rule that routes the consumer's own "Render Ready"/"Render Failed" events to
 * an observer queue, the Bunny Stream double, tiny generated bundles synced with the agent's sync,
 * and the consumer itself, in this process (`startRenderService`) or as `consumer run` children.
 */
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ensureLocalTopology, type LocalTopology } from '@exercise-pipeline/infra';
import { type SyncResult, syncBundle } from '@exercise-pipeline/ingest-agent/sync';
import type { ExerciseRow, RenderRow } from '@exercise-pipeline/render-consumer/catalog';
import { type CatalogDb, openCatalogDb } from '@exercise-pipeline/render-consumer/catalog';
import { type RefreshRequestInput, requestRefresh } from '@exercise-pipeline/render-consumer/ops';
import {
  type RenderService,
  type RenderServiceConfig,
  type RenderServiceOptions,
  startRenderService,
} from '@exercise-pipeline/render-consumer/service';
import { createLogger, type PipelineMessage, parsePipelineMessage } from '@exercise-pipeline/shared';
import { afterAll, beforeAll } from 'vitest';
import { BunnyStreamDouble, type BunnyStreamDoubleOptions } from '../doubles/bunny-stream-double.js';
import { generateBundle, TINY_MEDIA } from '../fixtures/index.js';
import {
  type AwsClients,
  createAwsClients,
  drainQueue,
  type MotoHandle,
  TEST_AWS_ENV,
  trackResource,
  uniqueName,
  useMotoServer,
  useTempDir,
  useTestDatabase,
  waitFor,
} from '../harness/index.js';

export const LANGUAGES = ['ro', 'en'];

export interface Pipeline {
  clients: AwsClients;
  topology: LocalTopology;
  /** Where the consumer's own events land (a rule of this test, not part of the product). */
  renderEventsQueueUrl: string;
  bunny: BunnyStreamDouble;
  /** The test's temp root; bundles, data dirs and the media cache live under it. */
  root: string;
  endpoint: string;
  close(): Promise<void>;
}

/** Creates topology, observer rule and Bunny double on the file's moto server. */
export async function openPipeline(
  endpoint: string,
  root: string,
  bunnyOptions: BunnyStreamDoubleOptions = {},
): Promise<Pipeline> {
  const clients = createAwsClients(endpoint);
  const topology = await ensureLocalTopology(clients, {
    bucket: uniqueName('assets'),
    queueName: uniqueName('renders'),
    dlqName: uniqueName('renders-dlq'),
  });
  const eventsQueue = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: uniqueName('render-events') }),
  );
  const eventsQueueUrl = eventsQueue.QueueUrl!;
  const attributes = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: eventsQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const ruleName = uniqueName('observe-render');
  await clients.events.send(
    new PutRuleCommand({
      Name: ruleName,
      EventBusName: topology.busName,
      EventPattern: JSON.stringify({ source: ['exercise-pipeline.render'] }),
    }),
  );
  await clients.events.send(
    new PutTargetsCommand({
      Rule: ruleName,
      EventBusName: topology.busName,
      Targets: [{ Id: 'observer', Arn: attributes.Attributes!.QueueArn! }],
    }),
  );
  const bunny = await new BunnyStreamDouble(bunnyOptions).start();
  return {
    clients,
    topology,
    renderEventsQueueUrl: eventsQueueUrl,
    bunny,
    root,
    endpoint,
    async close() {
      await bunny.stop();
      await clients.close();
    },
  };
}

export interface PipelineWorld {
  /** The file's moto server. */
  readonly moto: MotoHandle;
  /** Its endpoint. */
  readonly endpoint: string;
  /** The file's PostgreSQL database (only with `database: true`, the default). */
  readonly databaseUrl: string;
  /** The file's temp dir. */
  readonly root: string;
  /** The pipeline opened on them in beforeAll. */
  readonly pipeline: Pipeline;
  /** A bundle of `slug` under the file's temp dir (`makeBundle`). */
  bundle(slug: string, languages?: string[]): Promise<string>;
  /** Syncs `bundleDir`, or a new bundle of `slug`, into the pipeline's bucket (`syncAs`). */
  sync(slug: string, bundleDir?: string): Promise<SyncResult>;
  /** A render service on the pipeline (`startService`). */
  startService(settings: ServiceSettings, overrides?: Partial<RenderServiceOptions>): Promise<RenderService>;
  /** Waits until the render queue is empty (`renderQueueDrained`). */
  queueDrained(): Promise<true>;
  /** The exercise's completed Bunny uploads (`completedUploads`). */
  completedUploads(slug: string): string[];
  /** Messages visible or in flight on the render queue (`queueDepth`). */
  queueDepth(): Promise<number>;
  /** The environment of a `consumer run` or ops CLI child on the pipeline, data in `dataDir`. */
  consumerEnv(dataDir: string, extra?: Record<string, string>): Record<string, string>;
}

/**
 * Registers the hooks most consumer test files start with: a moto server, a PostgreSQL database
 * (unless `database: false`) and a temp dir for the file, and a pipeline opened on them in beforeAll
 * and closed in afterAll (after the file's own afterAll hooks).
 */
export function usePipeline(
  label: string,
  options: { database?: boolean; bunny?: BunnyStreamDoubleOptions } = {},
): PipelineWorld {
  const moto = useMotoServer(label);
  const database = options.database === false ? undefined : useTestDatabase(label.replaceAll('-', '_'));
  const temp = useTempDir(label);
  let pipeline: Pipeline | undefined;
  beforeAll(async () => {
    pipeline = await openPipeline(moto.endpoint, temp.path, options.bunny);
  });
  afterAll(async () => {
    await pipeline?.close();
  });
  const world: PipelineWorld = {
    moto,
    get endpoint() {
      return moto.endpoint;
    },
    get databaseUrl() {
      if (!database) throw new Error(`usePipeline('${label}'): opened with database: false`);
      return database.url;
    },
    get root() {
      return temp.path;
    },
    get pipeline() {
      if (!pipeline)
        throw new Error(`usePipeline('${label}'): the pipeline opens in beforeAll; use it in tests`);
      return pipeline;
    },
    bundle: (slug, languages) => makeBundle(temp.path, slug, languages),
    sync: async (slug, bundleDir) => syncAs(world.pipeline, slug, bundleDir ?? (await world.bundle(slug))),
    startService: (settings, overrides) => startService(world.pipeline, settings, overrides),
    queueDrained: () => renderQueueDrained(world.pipeline),
    completedUploads: (slug) => completedUploads(world.pipeline, slug),
    queueDepth: () => queueDepth(world.pipeline.clients.sqs, world.pipeline.topology.queueUrl),
    consumerEnv: (dataDir, extra = {}) => ({
      ...moto.env,
      ASSETS_BUCKET: world.pipeline.topology.bucket,
      EVENT_BUS_NAME: world.pipeline.topology.busName,
      RENDER_QUEUE_URL: world.pipeline.topology.queueUrl,
      RENDER_DLQ_URL: world.pipeline.topology.dlqUrl,
      DATA_DIR: dataDir,
      ...extra,
    }),
  };
  return world;
}

export interface CatalogRun {
  pipeline: Pipeline;
  service: RenderService;
  /** The test's reads: its own connection on PostgreSQL, the service's own on PGlite. */
  db: CatalogDb;
  bundleDir: string;
  close(): Promise<void>;
}

/**
 * One catalog's run on the file's moto server: its own pipeline (bucket, queues, Bunny double) under
 * `root/<catalog>`, a service on PostgreSQL (`databaseUrl`) or on the embedded PGlite, and a bundle
 * of `slug` ready to sync. PGlite is single-process and single-connection, so there the test reads
 * through the service's own connection.
 */
export async function openCatalogRun(options: {
  endpoint: string;
  root: string;
  catalog: 'postgres' | 'pglite';
  databaseUrl: string;
  slug: string;
  bunny?: BunnyStreamDoubleOptions;
  settings?: Omit<ServiceSettings, 'databaseUrl' | 'dataDir'>;
  overrides?: Partial<RenderServiceOptions>;
}): Promise<CatalogRun> {
  const postgres = options.catalog === 'postgres';
  const root = path.join(options.root, options.catalog);
  await mkdir(root, { recursive: true });
  const pipeline = await openPipeline(options.endpoint, root, options.bunny);
  const service = await startService(
    pipeline,
    {
      ...(postgres ? { databaseUrl: options.databaseUrl } : {}),
      dataDir: path.join(root, 'consumer-data'),
      ...options.settings,
    },
    options.overrides,
  );
  const db = postgres ? await openCatalog(options.databaseUrl) : service.db;
  return {
    pipeline,
    service,
    db,
    bundleDir: await makeBundle(root, options.slug),
    async close() {
      await service.stop();
      if (postgres) await db.close();
      await pipeline.close();
    },
  };
}

/**
 * Registers the file-level hooks of a test that runs once per catalog: a moto server, a PostgreSQL
 * database and a temp dir. Its `open`, called in a describe block, opens that block's `CatalogRun`
 * in beforeAll and closes it in afterAll; its fields are readable from the tests on.
 */
export function useCatalogRuns(label: string) {
  const moto = useMotoServer(label);
  const database = useTestDatabase(label.replaceAll('-', '_'));
  const temp = useTempDir(label);
  return {
    open(options: Omit<Parameters<typeof openCatalogRun>[0], 'endpoint' | 'root' | 'databaseUrl'>): Omit<
      CatalogRun,
      'close'
    > & {
      /** Syncs `bundleDir` as `slug` into the run's bucket (`syncAs`). */
      sync(slug: string, bundleDir: string): Promise<SyncResult>;
      /** Waits until the run's render queue is empty (`renderQueueDrained`). */
      queueDrained(): Promise<true>;
      /** Waits for `count` of the consumer's own events (`waitForRenderEvents`). */
      renderEvents(count: number, what: string): Promise<PipelineMessage[]>;
    } {
      let run: CatalogRun | undefined;
      beforeAll(async () => {
        run = await openCatalogRun({
          ...options,
          endpoint: moto.endpoint,
          root: temp.path,
          databaseUrl: database.url,
        });
      });
      afterAll(async () => {
        await run?.close();
      });
      const opened = (): CatalogRun => {
        if (!run) throw new Error(`useCatalogRuns('${label}'): the run opens in beforeAll; use it in tests`);
        return run;
      };
      return {
        get pipeline() {
          return opened().pipeline;
        },
        get service() {
          return opened().service;
        },
        get db() {
          return opened().db;
        },
        get bundleDir() {
          return opened().bundleDir;
        },
        sync: (slug, bundleDir) => syncAs(opened().pipeline, slug, bundleDir),
        queueDrained: () => renderQueueDrained(opened().pipeline),
        renderEvents: (count, what) => waitForRenderEvents(opened().pipeline, count, what),
      };
    },
  };
}

/** A two-language convention bundle of tiny media in `dir` (media reused from `root/media-cache`). */
export async function makeBundle(root: string, slug: string, languages = LANGUAGES): Promise<string> {
  const dir = path.join(root, 'bundles', slug);
  await generateBundle(dir, {
    ...TINY_MEDIA,
    exercise: slug,
    languages,
    cacheDir: path.join(root, 'media-cache'),
    overwrite: true,
  });
  return dir;
}

/**
 * Changes one object of a bundle: the first language's outro voice-over becomes the second's
 * (a different tone), which is still valid media for a render.
 */
export async function changeOneObject(bundleDir: string, languages = LANGUAGES): Promise<string> {
  const relative = `audio/${languages[0]}/outro-vo-1.mp3`;
  await cp(path.join(bundleDir, `audio/${languages[1]}/outro-vo-1.mp3`), path.join(bundleDir, relative));
  return relative;
}

/** The agent's sync of one bundle dir, "Bundle Synced" included. */
export async function syncAs(pipeline: Pipeline, slug: string, bundleDir: string): Promise<SyncResult> {
  const dataDir = path.join(pipeline.root, 'agent-data');
  await mkdir(dataDir, { recursive: true });
  return syncBundle({
    s3: pipeline.clients.s3,
    events: pipeline.clients.events,
    bucket: pipeline.topology.bucket,
    slug,
    localDir: bundleDir,
    eventBusName: pipeline.topology.busName,
    dataDir,
    retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
  });
}

export interface ServiceSettings {
  databaseUrl?: string;
  dataDir: string;
  quietSeconds?: number;
  graceSeconds?: number;
  /** BUNNY_TUS_THRESHOLD_BYTES: renders above it go through the resumable upload. */
  tusThresholdBytes?: number;
  /** BUNNY_STREAM_TOKEN_KEY: sign the playback URLs handed out. */
  tokenKey?: string;
}

export function serviceConfig(pipeline: Pipeline, settings: ServiceSettings): RenderServiceConfig {
  return {
    awsEndpointUrl: pipeline.endpoint,
    awsRegion: TEST_AWS_ENV.AWS_REGION,
    assetsBucket: pipeline.topology.bucket,
    eventBusName: pipeline.topology.busName,
    renderQueueUrl: pipeline.topology.queueUrl,
    renderDlqUrl: pipeline.topology.dlqUrl,
    ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}),
    dataDir: settings.dataDir,
    publishTarget: 'bunny',
    bunny: {
      libraryId: pipeline.bunny.libraryId,
      apiKey: pipeline.bunny.apiKey,
      cdnHostname: 'vz-test.b-cdn.net',
      apiUrl: pipeline.bunny.url,
      readOnlyApiKey: pipeline.bunny.readOnlyApiKey,
      tokenExpirySeconds: 3600,
      tusThresholdBytes: settings.tusThresholdBytes ?? 104_857_600,
      ...(settings.tokenKey === undefined ? {} : { tokenKey: settings.tokenKey }),
    },
    composerPort: 0,
    composerHost: '127.0.0.1',
    metricsRequireToken: true,
    quietSeconds: settings.quietSeconds ?? 1,
    renderGraceSeconds: settings.graceSeconds ?? 3600,
    logLevel: 'silent',
  };
}

/** Short waits everywhere, so retries and hand-overs happen in seconds. */
export const FAST_CONSUMER = {
  visibilityTimeoutSeconds: 6,
  heartbeatSeconds: 2,
  retryBaseSeconds: 1,
  retryMaxSeconds: 2,
  waitTimeSeconds: 1,
} as const;

/** `startRenderService` in this process, on 127.0.0.1 and a free port, tracked until stopped. */
export async function startService(
  pipeline: Pipeline,
  settings: ServiceSettings,
  overrides: Partial<RenderServiceOptions> = {},
): Promise<RenderService> {
  const service = await startRenderService({
    config: serviceConfig(pipeline, settings),
    logger: createLogger({ name: 'consumer-test', level: process.env.CONSUMER_TEST_LOG ?? 'silent' }),
    port: 0,
    host: '127.0.0.1',
    consumer: FAST_CONSUMER,
    leaseSeconds: 4,
    transcodePollSeconds: 1,
    transcodeTickMs: 200,
    ...overrides,
  });
  const tracked = trackResource('consumer', `render service ${service.url}`, () => service.stop(5_000));
  return { ...service, stop: () => tracked.close() };
}

/** A catalog connection of the test's own (the services close theirs on stop). */
export async function openCatalog(databaseUrl: string): Promise<CatalogDb> {
  const db = await openCatalogDb({ databaseUrl, dataDir: '.', maxConnections: 2 });
  const tracked = trackResource('database', 'catalog connection', () => db.close());
  return { ...db, close: () => tracked.close() };
}

export async function exerciseRow(db: CatalogDb, slug: string): Promise<ExerciseRow | undefined> {
  const rows = await db.query<ExerciseRow>('SELECT * FROM exercises WHERE slug = $1', [slug]);
  return rows[0];
}

export async function rendersOf(db: CatalogDb, slug: string): Promise<RenderRow[]> {
  return db.query<RenderRow>(
    `SELECT r.* FROM exercise_renders r JOIN exercises e ON e.id = r.exercise_id
      WHERE e.slug = $1 ORDER BY r.id`,
    [slug],
  );
}

export async function readyPreviews(db: CatalogDb, slug: string, assetVersion: number): Promise<RenderRow[]> {
  return (await rendersOf(db, slug)).filter(
    (render) => render.status === 'ready' && render.asset_version === assetVersion,
  );
}

export { waitFor };

/** Waits until the exercise has a ready render of `assetVersion` in every language. */
export function waitForPreviews(
  db: CatalogDb,
  slug: string,
  assetVersion: number,
  languages = LANGUAGES,
  timeoutMs = 60_000,
): Promise<RenderRow[]> {
  return waitFor(
    `ready previews of ${slug} v${assetVersion}`,
    async () => {
      const ready = await readyPreviews(db, slug, assetVersion);
      const row = await exerciseRow(db, slug);
      return languages.every((language) => ready.some((render) => render.language === language)) &&
        row?.catalog_render_id !== null &&
        row?.asset_version === assetVersion
        ? ready
        : undefined;
    },
    timeoutMs,
  );
}

/** Waits until every message of the render queue was handled (deferred copies included). */
export function renderQueueDrained(pipeline: Pipeline): Promise<true> {
  return waitFor(
    'an empty render queue',
    async () => (await queueDepth(pipeline.clients.sqs, pipeline.topology.queueUrl)) === 0,
    45_000,
    300,
  );
}

/** An operator's refresh of `exercise` on the pipeline's render queue, as `consumer refresh` sends it. */
export function refreshExercise(
  pipeline: Pipeline,
  exercise: string,
  options: Omit<RefreshRequestInput, 'sqs' | 'queueUrl' | 'exercise'>,
) {
  return requestRefresh({
    sqs: pipeline.clients.sqs,
    queueUrl: pipeline.topology.queueUrl,
    exercise,
    ...options,
  });
}

/** The Bunny double's videos of one exercise: their titles start with the slug. */
export function bunnyVideosOf(pipeline: Pipeline, slug: string): Record<string, unknown>[] {
  return pipeline.bunny.videos().filter((video) => String(video.title).startsWith(`${slug} · `));
}

/** The ids of an exercise's Bunny videos whose upload completed, sorted. */
export function completedUploads(pipeline: Pipeline, slug: string): string[] {
  return bunnyVideosOf(pipeline, slug)
    .map((video) => String(video.guid))
    .filter((guid) => pipeline.bunny.upload(guid) !== undefined)
    .sort();
}

/** The consumer's own events that reached the observer queue, parsed. */
export async function renderEvents(pipeline: Pipeline): Promise<PipelineMessage[]> {
  const messages = await drainQueue(pipeline.clients.sqs, pipeline.renderEventsQueueUrl);
  return messages.map((message) => {
    const parsed = parsePipelineMessage(message.Body);
    if (!parsed.ok) throw new Error(`observer queue message did not parse: ${parsed.reason}`);
    return parsed.message;
  });
}

/**
 * Waits until at least `count` of the consumer's own events reached the observer queue, keeping
 * what each look drained (events of one change may arrive across several looks).
 */
export async function waitForRenderEvents(pipeline: Pipeline, count: number, what: string) {
  const seen: PipelineMessage[] = [];
  return waitFor(what, async () => {
    seen.push(...(await renderEvents(pipeline)));
    return seen.length >= count ? seen : undefined;
  });
}

/**
 * What the ingest agent's preview notices need of each "Render Ready" (the catalog preview marker,
 * the synced fingerprint, the link people open), beside what it must be for its render.
 */
export function previewNoticeFields(
  events: PipelineMessage[],
  renders: Pick<RenderRow, 'id' | 'playback_url'>[],
  fingerprint: string,
) {
  const ready = events.flatMap((event) => (event.type === 'render-ready' ? [event] : []));
  return {
    actual: ready.map(({ renderId, catalogPreview, fingerprint, previewUrl }) => ({
      renderId,
      catalogPreview,
      fingerprint,
      previewUrl,
    })),
    expected: ready.map(({ renderId }) => ({
      renderId,
      catalogPreview: true,
      fingerprint,
      previewUrl: renders.find((render) => String(render.id) === renderId)?.playback_url,
    })),
  };
}

/**
 * What `handleMessage` needs to handle messages of `topology`'s render queue, with a refresh that
 * fails with `reason` every time (a message that never succeeds, until it is dead-lettered).
 */
export function failingHandleDeps(
  db: CatalogDb,
  sqs: SQSClient,
  topology: Pick<LocalTopology, 'queueUrl' | 'dlqUrl'>,
  bucket: string,
  reason: string,
) {
  return {
    db,
    sqs,
    queueUrl: topology.queueUrl,
    dlqUrl: topology.dlqUrl,
    bucket,
    refresh: async (): Promise<never> => {
      throw new Error(reason);
    },
  };
}

/** Messages visible or in flight on a queue, as SQS counts them. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const output = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = output.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/** Parses Prometheus text into `name{labels}` → value. */
export function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}
