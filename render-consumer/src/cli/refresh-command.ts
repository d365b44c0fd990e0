import { type CliIo, type DefinedCommand, defineCommand, EXIT, isValidSlug } from '@exercise-pipeline/shared';
import { requestRefresh } from '../ops/refresh.js';
import { createReporter, errorMessage, opsConfig, opsSqsClient } from './ops-context.js';

export const REFRESH_USAGE = `usage: exercise-consumer refresh <slug> [--force] [--json]

Asks the render consumers to look at one exercise again by putting a "Refresh Requested" message
on RENDER_QUEUE_URL. Without --force it re-renders only what is missing or failed for the current
asset version; with --force the next consumer bumps asset_version, supersedes the current renders
(deleted by sweep after RENDER_GRACE_SECONDS) and renders every language's catalog preview again.
`;

export function createRefreshCommand(): DefinedCommand {
  return defineCommand({
    summary: 'ask the consumers to re-render an exercise (--force: even if unchanged)',
    usage: REFRESH_USAGE,
    flags: { force: { type: 'boolean' } },
    json: true,
    run: ({ flags, positionals, io, json }) => runRefresh(positionals, flags.force, io, json),
  });
}

async function runRefresh(positionals: string[], force: boolean, io: CliIo, json: boolean): Promise<number> {
  const report = createReporter(io, 'refresh', json);
  const [slug, ...extra] = positionals;
  if (slug === undefined || extra.length > 0) {
    return report.refused('expected exactly one exercise slug', [
      { field: 'slug', message: 'pass the exercise, e.g. refresh detensionari-lombare' },
    ]);
  }
  if (!isValidSlug(slug)) {
    return report.refused(`"${slug}" is not an exercise slug`, [
      { field: 'slug', message: 'expected lowercase words joined by hyphens, at most 63 characters' },
    ]);
  }
  const config = opsConfig(io, ['renderQueueUrl']);
  if (typeof config === 'number') return config;
  const sqs = opsSqsClient(config);
  try {
    const { messageId, requestId } = await requestRefresh({
      sqs,
      queueUrl: config.renderQueueUrl,
      exercise: slug,
      force,
    });
    return report.done(
      { exercise: slug, force, messageId, requestId, queueUrl: config.renderQueueUrl },
      `refresh of ${slug}${force ? ' (forced)' : ''} requested: message ${messageId} (request ${requestId}) on ${config.renderQueueUrl}`,
    );
  } catch (error) {
    io.stderr.write(`refresh: could not send to ${config.renderQueueUrl}: ${errorMessage(error)}\n`);
    return EXIT.failure;
  } finally {
    sqs.destroy();
  }
}
