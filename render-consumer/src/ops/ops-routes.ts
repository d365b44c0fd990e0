import { isValidSlug } from '@exercise-pipeline/shared';
import type { Queryable } from '../catalog/database.js';
import { findMessageFailures } from '../catalog/failures.js';
import { HttpError } from '../http/http-error.js';
import { sendJson } from '../http/respond.js';
import type { Route } from '../http/router.js';
import { showCatalogEntry } from './catalog-show.js';
import { OPS_PATHS } from './consumer-api.js';
import { listVideoRenders } from './reconcile.js';

/** More ids than one `dlq list` ever asks about (SQS hands out at most a few hundred per walk). */
const MAX_IDS = 1000;

/**
 * The catalog reads of the ops commands, answered by the running consumer from its own connection:
 * how `catalog show`, `dlq list` and `reconcile` (without --fix) work beside a consumer that holds the embedded PGlite catalog.
 * Read-only, and behind COMPOSER_API_TOKEN like every data route.
 */
export function createOpsRoutes(options: { db: Queryable }): Route[] {
  return [
    {
      method: 'GET',
      path: OPS_PATHS.catalog,
      handler: async ({ res, params }) => {
        const slug = params.slug ?? '';
        if (!isValidSlug(slug))
          throw new HttpError(400, 'SLUG_INVALID', `${JSON.stringify(slug)} is not a slug`);
        const entry = await showCatalogEntry(options.db, slug);
        if (!entry)
          throw new HttpError(404, 'NOT_FOUND', `the catalog has no exercise ${JSON.stringify(slug)}`);
        sendJson(res, 200, entry);
      },
    },
    {
      method: 'GET',
      path: OPS_PATHS.messageFailures,
      handler: async ({ res, query }) => {
        const ids = query.getAll('id');
        if (ids.length > MAX_IDS)
          throw new HttpError(400, 'TOO_MANY_IDS', `at most ${MAX_IDS} ids per request`);
        sendJson(res, 200, await findMessageFailures(options.db, ids));
      },
    },
    {
      method: 'GET',
      path: OPS_PATHS.videoRenders,
      handler: async ({ res }) => {
        sendJson(res, 200, await listVideoRenders(options.db));
      },
    },
  ];
}
