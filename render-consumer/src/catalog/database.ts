import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { isProcessAlive, redactText } from '@exercise-pipeline/shared';
import pg from 'pg';

/** The one query surface the catalog code needs, served by PostgreSQL and PGlite alike. */
export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface CatalogDb extends Queryable {
  /** `postgres` when `DATABASE_URL` is set, `pglite` for the embedded database under `DATA_DIR`. */
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction; rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  execScript(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** One trivial query: throws when the catalog database does not answer. */
export async function pingCatalog(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}

export interface OpenCatalogOptions {
  /** PostgreSQL connection string; when absent the embedded PGlite database is used. */
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files: `{dataDir}/catalog-pglite`. */
  dataDir: string;
  /** Pool size for PostgreSQL; default 5. */
  maxConnections?: number;
}

export async function openCatalogDb(options: OpenCatalogOptions): Promise<CatalogDb> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.maxConnections ?? 5);
  return openPglite(path.join(options.dataDir, 'catalog-pglite'));
}

/** `postgres://user:***@host:5432/db`: the URL as it may be shown, without its password. */
export function describeDatabaseUrl(databaseUrl: string): string {
  if (!URL.canParse(databaseUrl)) return '(not a URL)';
  const url = new URL(databaseUrl);
  if (url.password !== '') url.password = '***';
  url.search = '';
  return url.toString();
}

/** The PostgreSQL catalog did not answer at start: one line naming DATABASE_URL, never its password. */
export class CatalogUnreachableError extends Error {
  readonly code = 'CATALOG_UNREACHABLE';
  constructor(databaseUrl: string, cause: unknown) {
    const reason = cause instanceof Error && cause.message !== '' ? cause.message : String(cause);
    super(
      `cannot reach the catalog database DATABASE_URL=${describeDatabaseUrl(databaseUrl)}: ` +
        `${redactText(reason.split('\n')[0] ?? '', passwordOf(databaseUrl))}; start PostgreSQL or fix DATABASE_URL ` +
        '(unset it to use the embedded catalog under DATA_DIR)',
      { cause },
    );
    this.name = 'CatalogUnreachableError';
  }
}

function passwordOf(databaseUrl: string): string[] {
  if (!URL.canParse(databaseUrl)) return [databaseUrl];
  const password = new URL(databaseUrl).password;
  return password === '' ? [] : [password, decodeURIComponent(password)];
}

async function openPostgres(databaseUrl: string, max: number): Promise<CatalogDb> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const run = async <Row>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]) =>
    (await client.query(text, params as unknown[] | undefined)).rows as Row[];
  try {
    await run(pool, 'SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new CatalogUnreachableError(databaseUrl, error);
  }
  return {
    kind: 'postgres',
    query: (text, params) => run(pool, text, params),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({ query: (text, params) => run(client, text, params) });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async execScript(sql) {
      await pool.query(sql);
    },
    close: () => pool.end(),
  };
}

/** The embedded catalog is already open in another process (PGlite is single-process). */
export class CatalogInUseError extends Error {
  readonly code = 'CATALOG_IN_USE';
  /** The process holding the catalog. */
  readonly holderPid: number;
  constructor(dir: string, pid: number) {
    super(
      `the embedded catalog ${dir} is in use by process ${pid} (a running \`pnpm consumer run\`?): ` +
        'stop that process first, or set DATABASE_URL so every process shares one PostgreSQL catalog',
    );
    this.name = 'CatalogInUseError';
    this.holderPid = pid;
  }
}

/**
 * PGlite keeps its files open in one process; a second process writing the same folder would corrupt
 * it. A pid file makes the second opener fail with a clear message instead; a stale file (its process
 * gone) is taken over.
 */
async function lockPglite(dir: string): Promise<() => Promise<void>> {
  const lock = path.join(dir, 'pipeline.pid');
  const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessAlive(holder)) {
    throw new CatalogInUseError(dir, holder);
  }
  await writeFile(lock, String(process.pid));
  return () => rm(lock, { force: true });
}

async function openPglite(dir: string): Promise<CatalogDb> {
  await mkdir(dir, { recursive: true });
  const unlock = await lockPglite(dir);
  let db: PGlite;
  try {
    db = await PGlite.create(dir);
  } catch (error) {
    await unlock();
    throw error;
  }
  return {
    kind: 'pglite',
    async query(text, params) {
      return (await db.query(text, params as unknown[] | undefined)).rows as never[];
    },
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          async query(text, params) {
            return (await tx.query(text, params as unknown[] | undefined)).rows as never[];
          },
        }),
      ),
    async execScript(sql) {
      await db.exec(sql);
    },
    async close() {
      await db.close();
      await unlock();
    },
  };
}
