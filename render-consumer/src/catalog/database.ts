import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
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

async function openPostgres(databaseUrl: string, max: number): Promise<CatalogDb> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const run = async <Row>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]) =>
    (await client.query(text, params as unknown[] | undefined)).rows as Row[];
  await run(pool, 'SELECT 1');
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

async function openPglite(dir: string): Promise<CatalogDb> {
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
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
    close: () => db.close(),
  };
}
