import { ConfigError, readVariables, type VariableSpec, wholeNumberIn } from '@exercise-pipeline/shared';

/**
 * Operational knobs of `consumer run` beyond the contract's configuration: how long a message stays
 * invisible, how retries back off, how long a render lease lasts, how long shutdown waits. The
 * defaults suit production; tests, demos and slow hosts tune them through these variables.
 */
export const TUNING_VARIABLES = {
  QUEUE_VISIBILITY_TIMEOUT_SECONDS: {
    key: 'visibilityTimeoutSeconds',
    expects: 'whole seconds 1-43200 a received message stays invisible (renewed while handled), e.g. 60',
    parse: wholeNumberIn(1, 43_200),
  },
  QUEUE_WAIT_SECONDS: {
    key: 'waitTimeSeconds',
    expects: 'whole seconds 0-20 of one long poll, e.g. 20',
    parse: wholeNumberIn(0, 20),
  },
  QUEUE_RETRY_BASE_SECONDS: {
    key: 'retryBaseSeconds',
    expects: 'whole seconds 0-43200 before the first retry of a failed message, e.g. 30',
    parse: wholeNumberIn(0, 43_200),
  },
  QUEUE_RETRY_MAX_SECONDS: {
    key: 'retryMaxSeconds',
    expects: 'whole seconds 0-43200, the longest retry delay, e.g. 900',
    parse: wholeNumberIn(0, 43_200),
  },
  CONSUMER_CONCURRENCY: {
    key: 'concurrency',
    expects: 'how many messages one process handles at once, 1-64, e.g. 1',
    parse: wholeNumberIn(1, 64),
  },
  RENDER_LEASE_SECONDS: {
    key: 'leaseSeconds',
    expects: 'whole seconds 1-3600 a render lease lasts without renewal, e.g. 60',
    parse: wholeNumberIn(1, 3600),
  },
  COMPOSE_MAX_CONCURRENT: {
    key: 'composeMaxConcurrent',
    expects: 'how many renders (ffmpeg plus upload) run at once, 1-64, e.g. 2',
    parse: wholeNumberIn(1, 64),
  },
  COMPOSE_QUEUE_SIZE: {
    key: 'composeQueueSize',
    expects: 'how many compose requests may wait for a render slot, 0-10000, e.g. 16',
    parse: wholeNumberIn(0, 10_000),
  },
  TRANSCODE_POLL_SECONDS: {
    key: 'transcodePollSeconds',
    expects: 'whole seconds 1-3600 from an upload to Bunny to the first poll of its transcode, e.g. 5',
    parse: wholeNumberIn(1, 3600),
  },
  TRANSCODE_TIMEOUT_SECONDS: {
    key: 'transcodeTimeoutSeconds',
    expects: 'whole seconds 60-604800 after which an unfinished Bunny transcode counts as failed, e.g. 14400',
    parse: wholeNumberIn(60, 604_800),
  },
  SHUTDOWN_DEADLINE_SECONDS: {
    key: 'shutdownDeadlineSeconds',
    expects: 'whole seconds 0-3600 a render in progress gets to finish on SIGTERM, e.g. 30',
    parse: wholeNumberIn(0, 3600),
  },
} as const satisfies Record<string, VariableSpec<number> & { key: string }>;

type TuningKey = (typeof TUNING_VARIABLES)[keyof typeof TUNING_VARIABLES]['key'];

/** Every knob is optional; an absent one keeps the component's own default. */
export type ServiceTuning = Partial<Record<TuningKey, number>>;

/** Default of SHUTDOWN_DEADLINE_SECONDS. */
export const DEFAULT_SHUTDOWN_DEADLINE_SECONDS = 30;

/**
 * Reads the tuning variables the way every variable is read (readVariables in the shared config):
 * blank is unset; throws one ConfigError naming every bad one and what it expects.
 */
export function resolveServiceTuning(env: NodeJS.ProcessEnv): ServiceTuning {
  const values = readVariables(env, TUNING_VARIABLES);
  const tuning: ServiceTuning = {};
  for (const [variable, spec] of Object.entries(TUNING_VARIABLES)) {
    const value = values[variable as keyof typeof TUNING_VARIABLES];
    if (value !== undefined) tuning[spec.key] = value;
  }
  if (
    tuning.retryBaseSeconds !== undefined &&
    tuning.retryMaxSeconds !== undefined &&
    tuning.retryMaxSeconds < tuning.retryBaseSeconds
  ) {
    throw new ConfigError([
      {
        variable: 'QUEUE_RETRY_MAX_SECONDS',
        message: 'QUEUE_RETRY_MAX_SECONDS must not be below QUEUE_RETRY_BASE_SECONDS',
      },
    ]);
  }
  return tuning;
}
