import {
  type CliCommand,
  type CliIo,
  ConfigError,
  configOrExit,
  createLogger,
  EXIT,
} from '@exercise-pipeline/shared';
import { listenerRefusal } from '../http/listener-policy.js';
import { type RenderService, startRenderService } from '../service/render-service.js';
import {
  DEFAULT_SHUTDOWN_DEADLINE_SECONDS,
  resolveServiceTuning,
  type ServiceTuning,
} from '../service/service-tuning.js';

const RUN_USAGE = `usage: exercise-consumer run [--port N]

Consumes the render queue (RENDER_QUEUE_URL) and serves the HTTP API on COMPOSER_HOST (default
127.0.0.1) and COMPOSER_PORT: POST /v1/compose, /healthz, /readyz, /metrics and the status page at /.
Any other host than a loopback address needs COMPOSER_API_TOKEN, which then guards every route but
/healthz and /readyz (and /metrics, unless METRICS_REQUIRE_TOKEN=false).
Needs ASSETS_BUCKET, RENDER_QUEUE_URL and RENDER_DLQ_URL; uses DATABASE_URL (else PGlite under
DATA_DIR) and PUBLISH_TARGET (local or bunny). SIGINT/SIGTERM stop it gracefully: polling stops,
a render in progress gets SHUTDOWN_DEADLINE_SECONDS (default 30) to finish, otherwise its message
goes back to the queue at once.

Tuning (optional, whole seconds): QUEUE_VISIBILITY_TIMEOUT_SECONDS (60), QUEUE_WAIT_SECONDS (20),
QUEUE_RETRY_BASE_SECONDS (30), QUEUE_RETRY_MAX_SECONDS (900), CONSUMER_CONCURRENCY (1),
RENDER_LEASE_SECONDS (60), TRANSCODE_POLL_SECONDS (5), TRANSCODE_TIMEOUT_SECONDS (14400),
SHUTDOWN_DEADLINE_SECONDS (30); render slots: COMPOSE_MAX_CONCURRENT (half the CPUs, at least 1),
COMPOSE_QUEUE_SIZE (16).
`;

/** `pnpm consumer run`: the long-running service, until SIGINT or SIGTERM. */
export function createRunCommand(): CliCommand {
  return {
    summary: 'consume the render queue and serve the HTTP API (the service)',
    async run(args: string[], io: CliIo): Promise<number> {
      if (args.includes('--help') || args.includes('-h')) {
        io.stdout.write(RUN_USAGE);
        return EXIT.done;
      }
      let port: number | undefined;
      for (let i = 0; i < args.length; i += 1) {
        if (args[i] === '--port' && /^\d+$/.test(args[i + 1] ?? '')) {
          port = Number(args[i + 1]);
          i += 1;
        } else {
          io.stderr.write(`unexpected argument ${JSON.stringify(args[i])}\n\n${RUN_USAGE}`);
          return EXIT.refused;
        }
      }
      const config = configOrExit(io.env, ['assetsBucket', 'renderQueueUrl', 'renderDlqUrl']);
      const refusal = listenerRefusal(config.composerHost, config.composerApiToken);
      if (refusal !== undefined) {
        io.stderr.write(`${refusal}\n`);
        return EXIT.refused;
      }
      let tuning: ServiceTuning;
      try {
        tuning = resolveServiceTuning(io.env);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        io.stderr.write(`${error.message}\n`);
        return EXIT.failure;
      }
      const {
        shutdownDeadlineSeconds,
        leaseSeconds,
        transcodePollSeconds,
        transcodeTimeoutSeconds,
        composeMaxConcurrent,
        composeQueueSize,
        ...consumer
      } = tuning;
      const logger = createLogger({ name: 'render-consumer', level: config.logLevel });
      let service: RenderService;
      try {
        service = await startRenderService({
          config,
          logger,
          consumer,
          compose: {
            ...(composeMaxConcurrent === undefined ? {} : { maxConcurrent: composeMaxConcurrent }),
            ...(composeQueueSize === undefined ? {} : { queueSize: composeQueueSize }),
          },
          ...(leaseSeconds === undefined ? {} : { leaseSeconds }),
          ...(transcodePollSeconds === undefined ? {} : { transcodePollSeconds }),
          ...(transcodeTimeoutSeconds === undefined ? {} : { transcodeTimeoutSeconds }),
          ...(port === undefined ? {} : { port }),
        });
      } catch (error) {
        // A start-up failure is an operator's to fix (a port, a database, a folder): one line naming
        // it, not a stack trace. The stack is in the debug log for whoever needs it.
        logger.debug({ err: error }, 'start-up failed');
        io.stderr.write(`consumer run: cannot start: ${firstLine(error)}\n`);
        return EXIT.failure;
      }
      io.stderr.write(`render consumer listening on ${service.url} (status page: ${service.url}/)\n`);

      await new Promise<void>((resolve) => {
        const onSignal = (signal: NodeJS.Signals) => {
          logger.info({ signal }, 'stopping');
          process.removeListener('SIGINT', onSignal);
          process.removeListener('SIGTERM', onSignal);
          // A second signal while stopping means "now".
          const force = () => process.exit(EXIT.failure);
          process.once('SIGINT', force);
          process.once('SIGTERM', force);
          resolve();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
      await service.stop((shutdownDeadlineSeconds ?? DEFAULT_SHUTDOWN_DEADLINE_SECONDS) * 1000);
      return EXIT.done;
    },
  };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find((line) => line.trim() !== '') ?? 'unknown error';
}
