import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { trackResource } from './resources.js';

/**
 * One fresh PostgreSQL database per test file, created on the machine's server and dropped again,
 * so files never see each other's rows. Override the server with TEST_POSTGRES_URL (a URL to its
 * maintenance database, e.g. postgres://postgres@127.0.0.1:5432/postgres).
 */
const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  /** Connection string for the new database (what DATABASE_URL would hold). */
  url: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  return process.env.TEST_POSTGRES_URL || DEFAULT_ADMIN_URL;
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `cannot reach PostgreSQL at ${adminUrl()} (${(error as Error).message}); start it or set TEST_POSTGRES_URL`,
      { cause: error },
    );
  }
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A database name safe to interpolate: lowercase letters, digits and underscores only. */
export function testDatabaseName(label: string): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 30);
  return `test_${clean || 'db'}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const name = testDatabaseName(label);
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const tracked = trackResource('database', name, async () => {
    // FORCE ends connections a failed test left open (PostgreSQL 13+).
    await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  });
  return { name, url: url.toString(), drop: () => tracked.close() };
}

export interface DatabaseHandle {
  readonly name: string;
  readonly url: string;
}

/** Creates the file's database in beforeAll and drops it in afterAll. */
export function useTestDatabase(label = 'db'): DatabaseHandle {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(label);
  });
  afterAll(async () => {
    await database?.drop();
  });
  const created = (): TestDatabase => {
    if (database === undefined) throw new Error('useTestDatabase(): the database is created in beforeAll');
    return database;
  };
  return {
    get name() {
      return created().name;
    },
    get url() {
      return created().url;
    },
  };
}
