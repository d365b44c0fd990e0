import { type CliIo, type DefinedCommand, defineCommand, EXIT } from '@exercise-pipeline/shared';
import { type SweepResult, sweepExpiredRenders } from '../ops/sweep.js';
import { createPublisher } from '../publish/create-publisher.js';
import { createReporter, opsConfig, opsLogger, withCatalog } from './ops-context.js';

export const SWEEP_USAGE = `usage: exercise-consumer sweep [--json]

Deletes superseded renders whose grace period (RENDER_GRACE_SECONDS) ended from the publish
target (PUBLISH_TARGET) and marks them deleted. A video already gone counts as deleted; running it
again changes nothing. Exit 1 when a render could not be deleted (the next sweep retries it).
`;

export function createSweepCommand(): DefinedCommand {
  return defineCommand({
    summary: 'delete superseded renders whose grace period ended',
    usage: SWEEP_USAGE,
    flags: {},
    json: true,
    run: ({ positionals, io, json }) => runSweep(positionals, io, json),
  });
}

async function runSweep(positionals: string[], io: CliIo, json: boolean): Promise<number> {
  const report = createReporter(io, 'sweep', json);
  if (positionals.length > 0) {
    return report.refused(`sweep takes no arguments, got ${positionals.join(' ')}`);
  }
  const config = opsConfig(io);
  if (typeof config === 'number') return config;
  const logger = opsLogger(io, config.logLevel);
  return withCatalog(config, report, async (db) => {
    const publisher = createPublisher(config, { logger });
    const result = await sweepExpiredRenders({ db, publisher, logger });
    return report.done(result, formatSweep(result), result.failed.length > 0 ? EXIT.failure : EXIT.done);
  });
}

function formatSweep(result: SweepResult): string {
  const gone = result.swept.filter((render) => render.outcome === 'already-gone').length;
  const lines = [
    `swept ${result.swept.length} of ${result.examined} expired superseded render(s)` +
      ` (${result.swept.length - gone} deleted, ${gone} already gone), ${result.failed.length} failed`,
    ...result.failed.map(
      (failure) => `  render ${failure.renderId} (${failure.videoId ?? 'no video'}): ${failure.error}`,
    ),
  ];
  return lines.join('\n');
}
