import { type CommandContext, type DefinedCommand, EXIT } from '@exercise-pipeline/shared';
import { listVideoRenders, type ReconcileResult, reconcileLibrary } from '../ops/reconcile.js';
import { BunnyClient } from '../publish/bunny-client.js';
import { openCatalogReads, opsConfig, opsLogger, type Reporter, withCatalog } from './ops-context.js';
import { defineOpsCommand } from './ops-command.js';

export const RECONCILE_USAGE = `usage: exercise-consumer reconcile [--fix] [--min-age <seconds>] [--json]

Compares the Bunny Stream library (PUBLISH_TARGET=bunny) with the catalog: lists the videos in the
collections of catalog exercises that no render references (orphans), and the renders whose video is
gone from the library. Changes nothing unless --fix is given.
  --fix                 delete the orphan videos; mark renders whose video is gone: a superseded one
                        'deleted', a ready or encoding one 'failed' (the catalog stops pointing at it
                        and the next refresh renders it again)
  --min-age <seconds>   leave videos younger than this alone (a consumer may be uploading); default 900
  --json                print {fixed, collections, videos, orphans: […], missing: […]}
Exit 1 when an orphan could not be deleted.
`;

const FLAGS = {
  fix: { type: 'boolean' },
  'min-age': { type: 'number', value: '<seconds>', min: 0, expects: 'whole seconds such as 900' },
} as const;

export function createReconcileCommand(): DefinedCommand {
  return defineOpsCommand(
    'reconcile',
    {
      summary: 'compare the Bunny library with the catalog (--fix: delete orphans, mark lost videos)',
      usage: RECONCILE_USAGE,
      flags: FLAGS,
    },
    runReconcile,
  );
}

async function runReconcile(
  { flags: values, positionals, io }: CommandContext<typeof FLAGS>,
  report: Reporter,
): Promise<number> {
  if (positionals.length > 0)
    return report.refused(`reconcile takes no arguments, got ${positionals.join(' ')}`);
  const minAge = values['min-age'];
  const config = opsConfig(io);
  if (typeof config === 'number') return config;
  if (config.publishTarget !== 'bunny' || !config.bunny) {
    return report.refused(
      'reconcile compares a Bunny Stream library: set PUBLISH_TARGET=bunny with BUNNY_STREAM_LIBRARY_ID, BUNNY_STREAM_API_KEY and BUNNY_STREAM_CDN_HOSTNAME',
    );
  }
  const logger = opsLogger(io, config.logLevel);
  const client = new BunnyClient({
    libraryId: config.bunny.libraryId,
    apiKey: config.bunny.apiKey,
    apiUrl: config.bunny.apiUrl,
    logger,
  });
  const options = {
    client,
    ...(minAge === undefined ? {} : { minAgeSeconds: minAge }),
    logger,
  };
  const done = (result: ReconcileResult) => {
    const failed = result.orphans.some((orphan) => orphan.error !== undefined);
    return report.done(result, formatReconcile(result), failed ? EXIT.failure : EXIT.done);
  };
  if (values.fix === true) {
    // Marking renders writes the catalog: that needs the catalog itself.
    return withCatalog(config, report, async (db) =>
      done(
        await reconcileLibrary({
          ...options,
          reads: { videoRenders: () => listVideoRenders(db) },
          db,
          fix: true,
        }),
      ),
    );
  }
  // A report only reads: beside a running consumer that holds the embedded catalog, through its API.
  let opened: Awaited<ReturnType<typeof openCatalogReads>> | undefined;
  try {
    opened = await openCatalogReads(config);
    return done(await reconcileLibrary({ ...options, reads: opened.reads }));
  } catch (error) {
    return report.failed(error instanceof Error ? error.message : String(error));
  } finally {
    await opened?.close().catch(() => {});
  }
}

function formatReconcile(result: ReconcileResult): string {
  const verb = result.fixed ? 'deleted' : 'would delete (run with --fix)';
  const lines = [
    `${result.videos} video(s) in ${result.collections} exercise collection(s); ` +
      `${result.orphans.length} orphan(s), ${result.missing.length} render(s) whose video is gone`,
    ...result.orphans.map(
      (orphan) =>
        `  orphan ${orphan.videoId} (${orphan.exercise}, "${orphan.title ?? ''}"): ` +
        (orphan.error ? `could not delete: ${orphan.error}` : verb),
    ),
    ...result.missing.map(
      (render) =>
        `  render ${render.renderId} (${render.exercise}, ${render.language}, v${render.assetVersion}, ${render.status}): ` +
        `video ${render.videoId} is gone${render.markedAs ? `; marked ${render.markedAs}` : result.fixed ? '' : ' (run with --fix to mark it)'}`,
    ),
  ];
  return lines.join('\n');
}
