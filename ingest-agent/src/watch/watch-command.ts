import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type CliCommand,
  type CliIo,
  createEventBridgeClient,
  createLogger,
  createS3Client,
  createSqsClient,
  EXIT,
  type Logger,
  loadConfig,
  type PipelineConfig,
  requireConfig,
} from '@exercise-pipeline/shared';
import { agentAwsOptions, readAgentConfig } from '../cli/agent-settings.js';
import { reportFailure, usageError } from '../cli/output.js';
import { folderProblem } from '../cli/plan-command.js';
import { ingestDelivery } from '../ingest/ingest-delivery.js';
import { priorVerdict } from '../ingest/prior-verdict.js';
import type { IngestResult } from '../ingest/types.js';
import { PreviewNotices } from '../notices/preview-notices.js';
import type { AgentConfig } from '../rules/agent-config.js';
import { HashCache } from '../sync/hash-cache.js';
import { DeliveryWatcher } from './delivery-watcher.js';
import { logWatchEvents } from './log-watch-events.js';
import { parseWatchArgs, WATCH_USAGE } from './watch-args.js';
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
  const aws = agentAwsOptions(env);
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
export async function runWatchCommand(
  argv: string[],
  io: CliIo,
  deps: WatchCommandDeps = {},
): Promise<number> {
  const parsed = parseWatchArgs(argv);
  if (!parsed.ok) return usageError(io.stderr, parsed.problem, WATCH_USAGE);
  const { args } = parsed;
  if (args.help) {
    io.stdout.write(WATCH_USAGE);
    return EXIT.done;
  }
  if (args.dropDir === undefined) return usageError(io.stderr, 'the drop folder is missing', WATCH_USAGE);
  const problem = await folderProblem(args.dropDir, {
    expected: 'the folder the filming team copies into',
    name: 'drop',
  });
  if (problem !== null) return usageError(io.stderr, problem, WATCH_USAGE);

  const cleanup: (() => void)[] = [];
  let notices: ReturnType<typeof startPreviewNotices>;
  try {
    const env = loadConfig(io.env);
    const config = await readAgentConfig(args.config);
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
      const real = s3Ingest(env, config, logger, args.prune);
      cleanup.push(real.close);
      ingest = real.ingest;
    } else {
      const injected = deps.ingest;
      ingest = (request) => injected(request, { config, env });
    }
    const watcher = new DeliveryWatcher({
      dropDir: args.dropDir,
      ingest,
      settleSeconds,
      junk: config.junk,
      poll: args.poll,
      engine: args.engine,
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
    return await runUntilStopped(watcher, logger, deps);
  } catch (error) {
    return reportFailure(io.stderr, error);
  } finally {
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
  const sqs = createSqsClient(agentAwsOptions(env));
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

/** Starts the watcher and resolves with the exit code once a signal (or deps.signal) stopped it. */
async function runUntilStopped(
  watcher: DeliveryWatcher,
  logger: Logger,
  deps: WatchCommandDeps,
): Promise<number> {
  let stopping: Promise<{ unfinished: string[] }> | undefined;
  let release: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    release = resolve;
  });
  const stop = (reason: string) => {
    if (stopping !== undefined) {
      logger.warn({ reason }, 'second stop request; exiting without waiting for running ingests');
      process.exit(EXIT.failure);
    }
    logger.info({ reason }, 'stopping: no new ingests; waiting for running ones to finish');
    stopping = watcher.stop();
    stopping.then(release, release);
  };
  const onSignal = (signal: NodeJS.Signals) => stop(signal);
  const onAbort = () => stop('stop requested');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (deps.signal?.aborted) return EXIT.done;
    await watcher.start();
    if (stopping === undefined) deps.onReady?.(watcher);
    await stopped;
    const { unfinished } = await (stopping ?? Promise.resolve({ unfinished: [] }));
    if (unfinished.length > 0) {
      logger.warn({ unfinished }, 'stopped with ingests unfinished; they resume on the next start');
      return EXIT.failure;
    }
    logger.info('stopped');
    return EXIT.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    deps.signal?.removeEventListener('abort', onAbort);
    await watcher.stop();
  }
}

/** What cli.ts loads for `exercise-agent watch`. */
export const watchCommand: CliCommand = {
  summary: 'watch a drop folder and ingest every delivery once it is complete (the daemon)',
  run: (args, io) => runWatchCommand(args, io),
};
