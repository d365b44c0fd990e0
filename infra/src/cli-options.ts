import { parseArgs } from 'node:util';

export interface LocalCliOptions {
  endpoint: string;
  region: string;
  bucket: string;
  busName: string;
  queueName?: string | undefined;
  dlqName?: string | undefined;
  json: boolean;
  help: boolean;
}

export const LOCAL_CLI_USAGE = `Usage: pnpm infra:local [--json] [--queue-name NAME] [--dlq-name NAME]

Creates (idempotently) the assets bucket, its EventBridge notifications, the render queue and its
dead-letter queue, the event bus, rule, target and queue policy on the emulator at AWS_ENDPOINT_URL,
from infra/definitions/. Prints the queue URLs; --json prints one JSON document.

Environment: AWS_ENDPOINT_URL (required), ASSETS_BUCKET (required), EVENT_BUS_NAME (default "default"),
AWS_REGION (default "eu-central-1").`;

export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

/** Resolves flags and environment once, failing with one line that names the setting and the fix. */
export function resolveLocalCliOptions(argv: string[], env: NodeJS.ProcessEnv): LocalCliOptions {
  let parsed: ReturnType<typeof parseLocalArgs>;
  try {
    parsed = parseLocalArgs(argv);
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message}; run with --help for the accepted flags`);
  }
  const { values } = parsed;
  const help = values.help === true;
  const endpoint = env.AWS_ENDPOINT_URL?.trim() ?? '';
  const bucket = env.ASSETS_BUCKET?.trim() ?? '';
  if (!help && endpoint === '') {
    throw new CliUsageError(
      'AWS_ENDPOINT_URL is not set: infra:local only targets an emulator (e.g. http://127.0.0.1:5000); production uses infra/terraform',
    );
  }
  if (!help && !/^https?:\/\/\S+$/.test(endpoint)) {
    throw new CliUsageError(
      `AWS_ENDPOINT_URL "${endpoint}" is not an http(s) URL; set it like http://127.0.0.1:5000`,
    );
  }
  if (!help && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new CliUsageError(
      `ASSETS_BUCKET "${bucket}" is not a valid bucket name; set 3-63 lowercase letters, digits, dots or hyphens`,
    );
  }
  return {
    endpoint,
    bucket,
    region: env.AWS_REGION?.trim() || 'eu-central-1',
    busName: env.EVENT_BUS_NAME?.trim() || 'default',
    queueName: values['queue-name'],
    dlqName: values['dlq-name'],
    json: values.json === true,
    help,
  };
}

function parseLocalArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      'queue-name': { type: 'string' },
      'dlq-name': { type: 'string' },
    },
  });
}
