import { type CliIo, type DefinedCommand, defineCommand, isValidSlug } from '@exercise-pipeline/shared';
import { formatCatalogEntry } from '../ops/catalog-show.js';
import { createReporter, errorMessage, openCatalogReads, opsConfig } from './ops-context.js';

export const CATALOG_USAGE = `usage: exercise-consumer catalog show <slug> [--json]

Prints an exercise's catalog row and all of its renders (DATABASE_URL, else the PGlite catalog
under DATA_DIR; while \`consumer run\` holds that one, through the running consumer's API). --json prints {exercise: {…columns of exercises}, renders: [{…columns of exercise_renders}]}.
`;

export function createCatalogCommand(): DefinedCommand {
  return defineCommand({
    summary: "show an exercise's catalog row and its renders",
    usage: CATALOG_USAGE,
    flags: {},
    json: true,
    run: ({ positionals, io, json }) => runCatalog(positionals, io, json),
  });
}

async function runCatalog(positionals: string[], io: CliIo, json: boolean): Promise<number> {
  const report = createReporter(io, 'catalog', json);
  const [action, slug, ...extra] = positionals;
  if (action !== 'show' || slug === undefined || extra.length > 0) {
    io.stderr.write(CATALOG_USAGE);
    return report.refused('expected `catalog show <slug>`');
  }
  if (!isValidSlug(slug)) {
    return report.refused('bad slug', [
      {
        field: 'slug',
        message: `${JSON.stringify(slug)} is not an exercise slug (lowercase letters, digits, single hyphens)`,
      },
    ]);
  }
  const config = opsConfig(io);
  if (typeof config === 'number') return config;
  let catalog: Awaited<ReturnType<typeof openCatalogReads>> | undefined;
  try {
    catalog = await openCatalogReads(config);
    const entry = await catalog.reads.catalogEntry(slug);
    if (!entry) {
      return report.refused(
        `the catalog has no exercise ${JSON.stringify(slug)}; it appears once its bundle was synced or it was imported`,
        [],
        'NOT_FOUND',
      );
    }
    return report.done(entry, formatCatalogEntry(entry));
  } catch (error) {
    return report.failed(errorMessage(error));
  } finally {
    await catalog?.close().catch(() => {});
  }
}
