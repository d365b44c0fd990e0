import {
  awsClientOptions,
  abortOnStopSignals,
  createEventBridgeClient,
  createLogger,
  createS3Client,
  defineCommand,
  EXIT,
  loadConfig,
  requireConfig,
} from '@exercise-pipeline/shared';
import { ingestDelivery } from '../ingest/ingest-delivery.js';
import type { IngestResult } from '../ingest/types.js';
import { qcMessage } from '../qc/messages.js';
import { readAgentConfig } from './agent-settings.js';
import { folderArgument } from './folder-argument.js';
import { listSection, reasonLines, reportFailure, writeLines } from './output.js';
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

export const ingestCommand = defineCommand({
  summary: 'ingest one delivery folder once (rename, extract, validate, upload, report)',
  usage: INGEST_USAGE,
  flags: {
    config: { type: 'string', value: 'F' },
    'dry-run': { type: 'boolean' },
    prune: { type: 'boolean' },
  },
  json: true,
  async run(context) {
    const { flags, io } = context;
    const folder = await folderArgument(context);
    if (typeof folder === 'number') return folder;

    const interrupt = abortOnStopSignals(
      () => new Error('interrupted; run the same command again to resume'),
    );
    const s3Holder: { destroy?: () => void } = {};
    try {
      const env = requireConfig(loadConfig(io.env), ['assetsBucket']);
      const config = await readAgentConfig(flags.config);
      const logger = createLogger({
        name: 'ingest-agent',
        level: env.logLevel,
        ...(io.stderr === process.stderr ? {} : { destination: io.stderr }),
      });
      const aws = awsClientOptions(env);
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
          folder,
          config,
          s3,
          events,
          bucket: env.assetsBucket,
          eventBusName: env.eventBusName,
          dataDir: env.dataDir,
          dryRun: flags['dry-run'],
          prune: flags.prune,
          signal: interrupt.signal,
          logger,
          onStep: (step) => progress.step(step),
          onProgress: (p) => progress.progress(p),
        });
      } finally {
        progress.done();
      }
      if (context.json) context.writeJson(result);
      else writeLines(io.stdout, summary(result));
      return result.status === 'done' || result.status === 'dry-run' ? EXIT.done : EXIT.refused;
    } catch (error) {
      const failure = interrupt.signal.aborted ? interrupt.signal.reason : error;
      return reportFailure(io.stderr, failure, context.json ? io.stdout : undefined);
    } finally {
      interrupt.dispose();
      s3Holder.destroy?.();
    }
  },
});
