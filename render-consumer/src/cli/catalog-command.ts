import { type CliCommand, type CliIo, EXIT, isValidSlug } from '@exercise-pipeline/shared';
import { formatCatalogEntry } from '../ops/catalog-show.js';
import { createReporter, errorMessage, openCatalogReads, opsConfig, parseFlags } from './ops-context.js';

export const CATALOG_USAGE = `usage: exercise-consumer catalog show <slug> [--json]

Prints an exercise's catalog row and all of its renders (DATABASE_URL, else the PGlite catalog
under DATA_DIR; while \`consumer run\` holds that one, through the running consumer's API). --json prints {exercise: {…columns of exercises}, renders: [{…columns of exercise_renders}]}.
`;

const FLAGS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function createCatalogCommand(): CliCommand {
  return {
    summary: "show an exercise's catalog row and its renders",
    run: (args, io) => runCatalog(args, io),
  };
}

async function runCatalog(args: string[], io: CliIo): Promise<number> {
  const parsed = parseFlags(args, FLAGS);
  const report = createReporter(io, 'catalog', args.includes('--json'));
  if (!parsed.flags) return report.refused('unusable flags', parsed.reasons);
  if (parsed.flags.values.help) {
    io.stdout.write(CATALOG_USAGE);
    return EXIT.done;
  }
  const [action, slug, ...extra] = parsed.flags.positionals;
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
