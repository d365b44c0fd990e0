import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  awsClientOptions,
  type CliIo,
  createEventBridgeClient,
  createLogger,
  createS3Client,
  createSqsClient,
  type DefinedCommand,
  defineCommand,
  EXIT,
  type Logger,
  loadConfig,
  type PipelineConfig,
  requireConfig,
  runService,
} from '@exercise-pipeline/shared';
import { readAgentConfig } from '../cli/agent-settings.js';
import { folderArgument, folderProblem } from '../cli/folder-argument.js';
import { reportFailure } from '../cli/output.js';
import { ingestDelivery } from '../ingest/ingest-delivery.js';
import { priorVerdict } from '../ingest/prior-verdict.js';
import type { IngestResult } from '../ingest/types.js';
import { PreviewNotices } from '../notices/preview-notices.js';
import type { AgentConfig } from '../rules/agent-config.js';
import { HashCache } from '../sync/hash-cache.js';
import { DeliveryWatcher } from './delivery-watcher.js';
import { logWatchEvents } from './log-watch-events.js';
import { WATCH_FLAGS, WATCH_USAGE, watchEngine } from './watch-args.js';
import type { IngestReport, IngestRequest } from './watch-events.js';

/** What the daemon passes on: the ingest's full result, `dry-run` never happening here. */
export type WatchIngestResult = Omit<IngestResult, 'status'> & { status: IngestReport['status'] };

/** Ingests one settled delivery; the default runs ingestDelivery against S3 and EventBridge. */
export type WatchIngest = (request: IngestRequest) => Promise<IngestReport>;

export interface WatchCommandDeps {
  /** Replaces the S3 ingest (tests); then ASSETS_BUCKET is not required. */
  ingest?: (
    request: IngestRequest,
    context: { config: AgentConfig; env: PipelineConfig },
  ) => Promise<IngestReport>;
  /** Stops the daemon like SIGTERM does (tests, embedding). */
  signal?: AbortSignal;
  /** Called once the watcher is ready. */
  onReady?: (watcher: DeliveryWatcher) => void;
}

/** Where the daemon keeps its current status (`watching`, last scan, deliveries by phase) for operators. */
export function statusFileIn(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'watch', 'status.json');
}

/**
 * Keeps `DATA_DIR/watch/status.json` current: written when the watcher is ready, on every
 * heartbeat, when the drop folder goes or comes back or the mode changes, and when it stops.
 * Written to a temp file and renamed, so a reader never sees half a document.
 */
function writeStatusFile(watcher: DeliveryWatcher, file: string, logger: Logger): void {
  let writing = Promise.resolve();
  let warned = false;
  const write = (extra: Record<string, unknown> = {}) => {
    const document = { ...watcher.status(), ...extra, updatedAt: new Date().toISOString(), pid: process.pid };
    writing = writing.then(async () => {
      const temporary = `${file}.${process.pid}.tmp`;
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`);
        await rename(temporary, file);
        warned = false;
      } catch (error) {
        await rm(temporary, { force: true }).catch(() => undefined);
        if (!warned) logger.warn({ file, problem: String(error) }, 'cannot write the status file');
        warned = true;
      }
    });
  };
  watcher.on('watcher:ready', () => write());
  watcher.on('watcher:heartbeat', () => write());
  watcher.on('watcher:drop-dir', () => write());
  watcher.on('watcher:mode', () => write());
  watcher.on('watcher:stopped', () => write({ watching: false, stopped: true }));
}

function s3Ingest(env: PipelineConfig, config: AgentConfig, logger: Logger, prune: boolean) {
  const { assetsBucket } = requireConfig(env, ['assetsBucket']);
  const aws = awsClientOptions(env);
  const s3 = createS3Client(aws);
  const events = createEventBridgeClient(aws);
  let hashCache: Promise<HashCache> | undefined;
  const ingest = async (request: IngestRequest): Promise<WatchIngestResult> => {
    hashCache ??= HashCache.load(env.dataDir);
    const result = await ingestDelivery({
      folder: request.folder,
      // ingestDelivery moves the folder to processed/ or rejected/ as the config says.
      config,
      s3,
      events,
      bucket: assetsBucket,
      eventBusName: env.eventBusName,
      dataDir: env.dataDir,
      prune,
      // The watcher has just checked that nothing changes; ingestDelivery still compares the
      // listing again before uploading.
      settleCheckMs: 0,
      hashCache: await hashCache,
      signal: request.signal,
      logger: logger.child({ delivery: request.delivery }),
    });
    return { ...result, status: result.status === 'dry-run' ? 'done' : result.status };
  };
  return {
    ingest,
    close: () => {
      s3.destroy();
      events.destroy();
    },
  };
}

/** `exercise-agent watch <drop-dir> [--config F] [--poll] [--prune] [--engine E]`: runs until stopped. */
export function createWatchCommand(deps: WatchCommandDeps = {}): DefinedCommand {
  return defineCommand({
    summary: 'watch a drop folder and ingest every delivery once it is complete (the daemon)',
    usage: WATCH_USAGE,
    flags: WATCH_FLAGS,
    async run(context) {
      const { flags, io } = context;
      const dropDir = await folderArgument(context, {
        one: 'one drop folder',
        missing: 'the drop folder is missing',
        problem: (path) =>
          folderProblem(path, { expected: 'the folder the filming team copies into', name: 'drop' }),
      });
      if (typeof dropDir === 'number') return dropDir;
      return watchDropDir(dropDir, flags, io, deps);
    },
  });
}

/** Runs `exercise-agent watch` with `argv` (tests pass their own ingest and stop signal). */
export function runWatchCommand(argv: string[], io: CliIo, deps: WatchCommandDeps = {}): Promise<number> {
  return createWatchCommand(deps).run(argv, io);
}

async function watchDropDir(
  dropDir: string,
  flags: { config: string | undefined; poll: boolean; prune: boolean; engine: string | undefined },
  io: CliIo,
  deps: WatchCommandDeps,
): Promise<number> {
  const cleanup: (() => void)[] = [];
  let notices: ReturnType<typeof startPreviewNotices>;
  let stopWatcher: (() => Promise<unknown>) | undefined;
  try {
    const env = loadConfig(io.env);
    const config = await readAgentConfig(flags.config);
    // The agent's quiet period is its own (config file, default 30 s); SETTLE_SECONDS is the
    // consumer's wait for a bundle in S3 and deliberately not read here.
    const settleSeconds = config.settleSeconds;
    const logger = createLogger({
      name: 'ingest-agent',
      level: env.logLevel,
      ...(io.stderr === process.stderr ? {} : { destination: io.stderr }),
    });
    let ingest: WatchIngest;
    if (deps.ingest === undefined) {
      const real = s3Ingest(env, config, logger, flags.prune);
      cleanup.push(real.close);
      ingest = real.ingest;
    } else {
      const injected = deps.ingest;
      ingest = (request) => injected(request, { config, env });
    }
    const watcher = new DeliveryWatcher({
      dropDir,
      ingest,
      settleSeconds,
      junk: config.junk,
      poll: flags.poll,
      engine: watchEngine(flags.engine),
      pollIntervalSeconds: config.pollIntervalSeconds,
      refuseIncompleteAfterSeconds: config.refuseIncompleteAfterSeconds,
      rescanSeconds: config.rescanSeconds,
      heartbeatSeconds: config.heartbeatSeconds,
      // The ingest's journal says what was judged already; the ingest writes _REPORT.txt and moves
      // the folder. The watcher only watches.
      priorVerdict: ({ folder }) => priorVerdict({ folder, config, dataDir: env.dataDir }),
      logger,
    });
    logWatchEvents(watcher, logger);
    writeStatusFile(watcher, statusFileIn(env.dataDir), logger);
    notices = startPreviewNotices(env, config, logger);
    if (notices !== undefined) {
      const sqs = notices.sqs;
      cleanup.push(() => sqs.destroy());
    }
    stopWatcher = () => watcher.stop();
    return await runWatcher(watcher, logger, deps);
  } catch (error) {
    return reportFailure(io.stderr, error);
  } finally {
    await stopWatcher?.();
    await notices?.loop.stop();
    for (const close of cleanup) close();
  }
}

/**
 * With AGENT_NOTICES_QUEUE_URL set, long-polls the notices queue and adds "Preview ready" / failure
 * lines to the reports of the deliveries concerned; without it the feature is off (one info line).
 */
function startPreviewNotices(env: PipelineConfig, config: AgentConfig, logger: Logger) {
  if (env.agentNoticesQueueUrl === undefined) {
    logger.info('AGENT_NOTICES_QUEUE_URL is not set: reports get no "Preview ready" lines');
    return undefined;
  }
  const sqs = createSqsClient(awsClientOptions(env));
  const loop = new PreviewNotices({
    sqs,
    queueUrl: env.agentNoticesQueueUrl,
    dataDir: env.dataDir,
    language: config.reportLanguage,
    logger: logger.child({ part: 'preview-notices' }),
  });
  loop.start();
  logger.info({ queueUrl: env.agentNoticesQueueUrl }, 'reading preview notices');
  return { sqs, loop };
}

/**
 * Runs the watcher under the shared service runner: SIGINT/SIGTERM (or deps.signal) stop it after
 * running ingests finish (the watcher's own 30 s grace); a second signal exits at once. Exit 1 when
 * ingests were left unfinished (they resume on the next start).
 */
function runWatcher(watcher: DeliveryWatcher, logger: Logger, deps: WatchCommandDeps): Promise<number> {
  return runService({
    logger,
    stoppingMessage: 'stopping: no new ingests; waiting for running ones to finish',
    ...(deps.signal === undefined ? {} : { signal: deps.signal }),
    start: async () => {
      await watcher.start();
      return watcher;
    },
    onReady: (started) => deps.onReady?.(started),
    stop: async (started) => {
      const { unfinished } = await started.stop();
      if (unfinished.length > 0) {
        logger.warn({ unfinished }, 'stopped with ingests unfinished; they resume on the next start');
        return EXIT.failure;
      }
      logger.info('stopped');
      return EXIT.done;
    },
  });
}

/** What cli.ts loads for `exercise-agent watch`. */
export const watchCommand = createWatchCommand();
