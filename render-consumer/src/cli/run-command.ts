import {
  ConfigError,
  configOrExit,
  createLogger,
  type DefinedCommand,
  defineCommand,
  EXIT,
  runService,
} from '@exercise-pipeline/shared';
import { listenerRefusal } from '../http/listener-policy.js';
import { startRenderService } from '../service/render-service.js';
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
export function createRunCommand(): DefinedCommand {
  return defineCommand({
    summary: 'consume the render queue and serve the HTTP API (the service)',
    usage: RUN_USAGE,
    flags: {
      port: {
        type: 'number',
        value: 'N',
        min: 0,
        max: 65_535,
        expects: 'a TCP port 1-65535 (0: any free port)',
      },
    },
    async run({ flags, positionals, io, usageError }) {
      if (positionals.length > 0) {
        return usageError(
          `unexpected argument ${JSON.stringify(positionals[0])}: run takes no arguments; see --help`,
        );
      }
      const { port } = flags;
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
      const start = async () => {
        try {
          return await startRenderService({
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
          throw new StartFailure(error);
        }
      };
      try {
        return await runService({
          logger,
          deadlineMs: (shutdownDeadlineSeconds ?? DEFAULT_SHUTDOWN_DEADLINE_SECONDS) * 1000,
          start,
          onReady: (service) =>
            io.stderr.write(`render consumer listening on ${service.url} (status page: ${service.url}/)\n`),
          stop: async (service, deadlineMs) => {
            await service.stop(deadlineMs);
            return EXIT.done;
          },
        });
      } catch (error) {
        if (!(error instanceof StartFailure)) throw error;
        // A start-up failure is an operator's to fix (a port, a database, a folder): one line naming
        // it, not a stack trace. The stack is in the debug log for whoever needs it.
        logger.debug({ err: error.cause }, 'start-up failed');
        io.stderr.write(`consumer run: cannot start: ${firstLine(error.cause)}\n`);
        return EXIT.failure;
      }
    },
  });
}

/** startRenderService failed: told apart from a failure while stopping. */
class StartFailure extends Error {
  constructor(cause: unknown) {
    super('the consumer could not start', { cause });
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find((line) => line.trim() !== '') ?? 'unknown error';
}
