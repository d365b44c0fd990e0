import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from './aws.js';
import { startMotoServer, useMotoServer } from './moto.js';
import { createTestDatabase } from './postgres.js';
import { openResources, trackResource } from './resources.js';
import { createTempDir, useTempDir } from './temp-dir.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const moto = useMotoServer('harness');
const scratch = useTempDir('harness');

interface JsonReport {
  testResults: {
    name: string;
    assertionResults: { title: string; status: string; failureMessages: string[] }[];
  }[];
}

function runFixtures(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const vitest = join(repoRoot, 'node_modules', '.bin', 'vitest');
  const args = ['run', '--config', 'test/harness/fixtures/vitest.fixture.config.ts'];
  return new Promise((resolve) => {
    execFile(
      vitest,
      args,
      { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    return (await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

describe('leak check', () => {
  it('fails the test and the file that leave a resource running, names it, and closes it', async () => {
    const report = join(scratch.path, 'fixture-report.json');
    const marker = join(scratch.path, 'watcher-closed.txt');
    const { code, output } = await runFixtures({ FIXTURE_REPORT: report, FIXTURE_MARKER: marker });

    expect(code).not.toBe(0);
    const results = (JSON.parse(readFileSync(report, 'utf8')) as JsonReport).testResults.flatMap(
      (file) => file.assertionResults,
    );
    const leaky = results.find((result) => result.title === 'leaks a watcher');
    expect(leaky?.status).toBe('failed');
    expect(leaky?.failureMessages.join('\n')).toContain('watcher "fixture-watcher"');
    expect(results.find((result) => result.title === 'closes its consumer')?.status).toBe('passed');
    expect(readFileSync(marker, 'utf8')).toBe('closed by leak-check');

    // The server leaked from beforeAll fails its file, is named, and was really stopped.
    const endpoint = /FIXTURE_MOTO_ENDPOINT=(\S+)/.exec(output)?.[1];
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(output).toContain(`server "fixture-moto ${endpoint}"`);
    expect(await answers(endpoint ?? '')).toBe(false);
  });

  it('does not count a resource the test closed itself', async () => {
    let closes = 0;
    const resource = trackResource('watcher', 'closed-in-test', () => {
      closes += 1;
    });
    expect(resource.scope).toBeDefined();
    expect(openResources({ scope: resource.scope })).toContain(resource);
    await resource.close();
    await resource.close();
    expect(openResources()).not.toContain(resource);
    expect(closes).toBe(1);
  });
});

describe('moto server', () => {
  it('answers on loopback, and two servers never share buckets', async () => {
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.AWS_ENDPOINT_URL).toBe(moto.endpoint);
    const other = await startMotoServer('second');
    const mine = createAwsClients(moto.endpoint);
    const theirs = createAwsClients(other.endpoint);
    try {
      await mine.s3.send(new CreateBucketCommand({ Bucket: 'only-in-the-first' }));
      const listed = await theirs.s3.send(new ListBucketsCommand({}));
      expect((listed.Buckets ?? []).map((bucket) => bucket.Name)).not.toContain('only-in-the-first');
    } finally {
      await mine.close();
      await theirs.close();
      await other.stop();
    }
    expect(await answers(other.endpoint)).toBe(false);
  });
});

describe('postgres database per file', () => {
  it('creates a usable database and drops it again', async () => {
    const database = await createTestDatabase('harness');
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE probe (id int)');
      await client.query('INSERT INTO probe VALUES (1)');
      expect((await client.query('SELECT count(*)::int AS n FROM probe')).rows[0]).toEqual({ n: 1 });
    } finally {
      await client.end();
    }
    await database.drop();
    const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database.name]);
      expect(found.rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  });
});

describe('temp dirs', () => {
  it('creates a fresh directory and removes it', async () => {
    const dir = await createTempDir('probe');
    expect(existsSync(dir.path)).toBe(true);
    await dir.remove();
    expect(existsSync(dir.path)).toBe(false);
  });
});
