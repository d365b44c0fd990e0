import { createEventBridgeClient, createS3Client, createSqsClient } from '@exercise-pipeline/shared';
import { CliUsageError, LOCAL_CLI_USAGE, resolveLocalCliOptions } from './cli-options.js';
import { ensureLocalTopology, type LocalTopology } from './local/ensure-topology.js';

function describe(topology: LocalTopology): string {
  const width = Math.max(...topology.changes.map((change) => change.resource.length));
  const lines = topology.changes.map(
    (change) => `${change.status.padEnd(9)} ${change.resource.padEnd(width)} ${change.name}`,
  );
  return [
    ...lines,
    '',
    `ASSETS_BUCKET=${topology.bucket}`,
    `EVENT_BUS_NAME=${topology.busName}`,
    `RENDER_QUEUE_URL=${topology.queueUrl}`,
    `RENDER_DLQ_URL=${topology.dlqUrl}`,
    `AGENT_NOTICES_QUEUE_URL=${topology.noticesQueueUrl}`,
  ].join('\n');
}

async function main(): Promise<number> {
  let options: ReturnType<typeof resolveLocalCliOptions>;
  try {
    options = resolveLocalCliOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`infra:local: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${LOCAL_CLI_USAGE}\n`);
    return 0;
  }
  const clientOptions = { endpoint: options.endpoint, region: options.region };
  const clients = {
    s3: createS3Client(clientOptions),
    sqs: createSqsClient(clientOptions),
    events: createEventBridgeClient(clientOptions),
  };
  try {
    const topology = await ensureLocalTopology(clients, {
      bucket: options.bucket,
      busName: options.busName,
      region: options.region,
      queueName: options.queueName,
      dlqName: options.dlqName,
    });
    process.stdout.write(`${options.json ? JSON.stringify(topology, null, 2) : describe(topology)}\n`);
    return 0;
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`infra:local: could not create the topology on ${options.endpoint}: ${reason}\n`);
    return 1;
  } finally {
    clients.s3.destroy();
    clients.sqs.destroy();
    clients.events.destroy();
  }
}

process.exitCode = await main();
