/**
 * What the consumer benchmarks set up alike: their command-line flags, dummy AWS credentials, and
 * the services they run against (a temp root, moto_server with its clients, the PostgreSQL admin
 * connection that creates each measurement's database).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createEventBridgeClient, createS3Client, createSqsClient } from '@exercise-pipeline/shared';
import pg from 'pg';
import { type BenchMoto, startMoto } from './bench-moto.js';

/** The value after `name` on the command line, else `fallback`. */
export function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

/** A whole-number flag of at least `min`; anything else stops the bench naming the flag. */
export function count(name: string, fallback: number, min = 1): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} expects a whole number >= ${min}`);
  return value;
}

export interface BenchServices {
  root: string;
  moto: BenchMoto;
  s3: S3Client;
  sqs: SQSClient;
  events: EventBridgeClient;
  /** Connected to `adminUrl`; creates and drops the per-measurement databases. */
  admin: pg.Client;
  adminUrl: string;
  close(): Promise<void>;
}

/**
 * A temp root named after `prefix`, moto_server and its clients, and the admin connection to
 * BENCH_POSTGRES_URL (default the local PostgreSQL). The bench talks only to its own moto_server:
 * dummy credentials are set, never a developer's real ones.
 */
export async function openBenchServices(prefix: string): Promise<BenchServices> {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'eu-central-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const root = await mkdtemp(path.join(tmpdir(), `${prefix}-`));
  const moto = await startMoto();
  const aws = { endpoint: moto.endpoint, region: 'eu-central-1' };
  const s3 = createS3Client(aws);
  const sqs = createSqsClient(aws);
  const events = createEventBridgeClient(aws);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  return {
    root,
    moto,
    s3,
    sqs,
    events,
    admin,
    adminUrl,
    async close() {
      await admin.end();
      s3.destroy();
      sqs.destroy();
      events.destroy();
      await moto.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
