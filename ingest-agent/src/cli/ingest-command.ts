import {
  type CliCommand,
  type CliIo,
  createEventBridgeClient,
  createLogger,
  createS3Client,
  EXIT,
  loadConfig,
  requireConfig,
} from '@exercise-pipeline/shared';
import { ingestDelivery } from '../ingest/ingest-delivery.js';
import type { IngestResult } from '../ingest/types.js';
import { qcMessage } from '../qc/messages.js';
import { agentAwsOptions, readAgentConfig } from './agent-settings.js';
import { parseAgentArgs } from './args.js';
import { listSection, reasonLines, reportFailure, usageError, writeJson, writeLines } from './output.js';
import { folderProblem } from './plan-command.js';
import { createProgressReporter } from './progress.js';

export const INGEST_USAGE = `usage: exercise-agent ingest <folder> [--config F] [--dry-run] [--prune] [--json]

Ingests one delivery folder, once: renames, extracts the framing voice-over, validates, uploads
to s3://$ASSETS_BUCKET/<exercise>/ (manifest last), then leaves _REPORT.txt for the team.
  --config F   agent config file (default: built-in rules, see ingest-agent/config/)
  --dry-run    check and stage everything; upload, move and report nothing
  --prune      also delete objects under s3://$ASSETS_BUCKET/<exercise>/ that the delivery no
               longer has (without it nothing in the bucket is ever deleted; needs s3:DeleteObject)
  --json       print {exercise, status, uploaded, skipped, bytesUploaded, rejected, …} on stdout
Environment: ASSETS_BUCKET, EVENT_BUS_NAME, DATA_DIR, AWS_ENDPOINT_URL, AWS_REGION,
AWS_CONNECT_TIMEOUT_SECONDS, AWS_REQUEST_TIMEOUT_SECONDS.
Exit: 0 done, 2 refused or still being copied (reasons listed), 1 failure (run again to resume).
`;

function summary(result: IngestResult): string[] {
  const head =
    result.status === 'done'
      ? `Ingested "${result.exercise}": ${result.uploaded.length} uploaded (${result.bytesUploaded} bytes), ${result.skipped.length} already up to date.`
      : result.status === 'dry-run'
        ? `Dry run for "${result.exercise}": the delivery is valid; nothing was uploaded.`
        : result.status === 'deferred'
          ? 'Deferred: files are still changing; nothing was uploaded.'
          : `Refused${result.repeated ? ' (unchanged since the last refusal)' : ''}: nothing was uploaded.`;
  return [
    head,
    ...listSection(
      'Renamed',
      result.renamed.map((file) => `${file.from}  ->  ${file.to}`),
    ),
    ...listSection(
      'Extracted',
      result.extracted.map((file) => `${file.from}  ->  ${file.to}`),
    ),
    ...listSection('Uploaded', result.uploaded),
    ...(result.rejected.length > 0 ? ['Reasons:', ...reasonLines(result.rejected)] : []),
    ...(result.warnings.length > 0 ? ['Warnings:', ...reasonLines(result.warnings)] : []),
    ...listSection(
      'Picture and sound check',
      (result.findings ?? [])
        .filter((finding) => finding.action === 'warn')
        .map((finding) => qcMessage(finding, 'en')),
    ),
    ...(result.report === null ? [] : [`Report: ${result.report}`]),
  ];
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseAgentArgs(argv, { config: true, dryRun: true, prune: true });
  if (!parsed.ok) return usageError(io.stderr, parsed.problem, INGEST_USAGE);
  const { args } = parsed;
  if (args.help) {
    io.stdout.write(INGEST_USAGE);
    return EXIT.done;
  }
  if (args.target === undefined) return usageError(io.stderr, 'the delivery folder is missing', INGEST_USAGE);
  const missing = await folderProblem(args.target);
  if (missing !== null) return usageError(io.stderr, missing, INGEST_USAGE);

  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted; run the same command again to resume'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const s3Holder: { destroy?: () => void } = {};
  try {
    const env = requireConfig(loadConfig(io.env), ['assetsBucket']);
    const config = await readAgentConfig(args.config);
    const logger = createLogger({
      name: 'ingest-agent',
      level: env.logLevel,
      ...(io.stderr === process.stderr ? {} : { destination: io.stderr }),
    });
    const aws = agentAwsOptions(env);
    const s3 = createS3Client(aws);
    const events = createEventBridgeClient(aws);
    s3Holder.destroy = () => {
      s3.destroy();
      events.destroy();
    };
    const progress = createProgressReporter(io.stderr, logger);
    let result: IngestResult;
    try {
      result = await ingestDelivery({
        folder: args.target,
        config,
        s3,
        events,
        bucket: env.assetsBucket,
        eventBusName: env.eventBusName,
        dataDir: env.dataDir,
        dryRun: args.dryRun,
        prune: args.prune,
        signal: controller.signal,
        logger,
        onStep: (step) => progress.step(step),
        onProgress: (p) => progress.progress(p),
      });
    } finally {
      progress.done();
    }
    if (args.json) writeJson(io.stdout, result);
    else writeLines(io.stdout, summary(result));
    return result.status === 'done' || result.status === 'dry-run' ? EXIT.done : EXIT.refused;
  } catch (error) {
    return reportFailure(io.stderr, controller.signal.aborted ? controller.signal.reason : error);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    s3Holder.destroy?.();
  }
}

export const ingestCommand: CliCommand = {
  summary: 'ingest one delivery folder once (rename, extract, validate, upload, report)',
  run,
};
