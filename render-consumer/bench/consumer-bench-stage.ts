/**
 * What the consumer benchmark's measurements share: the run's clients and services, a fresh
 * bucket/queues/database per measurement, and the `consumer run` children measured.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ensureLocalTopology } from '@exercise-pipeline/infra';
import type { BunnyStreamDouble } from '@exercise-pipeline/test/doubles';
import type pg from 'pg';
import { type BenchMoto, freePortNumber } from './bench-moto.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export const QUIET_SECONDS = 2;

/** The run's services and clients; every measurement works against these. */
export interface BenchContext {
  root: string;
  moto: BenchMoto;
  s3: S3Client;
  sqs: SQSClient;
  events: EventBridgeClient;
  bunny: BunnyStreamDouble;
  /** Connected to `adminUrl`; creates and drops the per-measurement databases. */
  admin: pg.Client;
  adminUrl: string;
  consumers: ConsumerFleet;
}

export interface Stage {
  bucket: string;
  queueUrl: string;
  dlqUrl: string;
  databaseUrl: string;
  drop(): Promise<void>;
}

let run = 0;

/** A fresh bucket, rule and queues, and a throwaway PostgreSQL database, for one measurement. */
export async function stage(context: BenchContext, label: string): Promise<Stage> {
  const { s3, sqs, events, admin } = context;
  run += 1;
  const suffix = `${label}-${process.pid}-${run}`;
  const topology = await ensureLocalTopology(
    { s3, sqs, events },
    { bucket: `bench-${suffix}`, queueName: `renders-${suffix}`, dlqName: `renders-dlq-${suffix}` },
  );
  const database = `bench_consumer_${suffix.replaceAll('-', '_')}`;
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = new URL(context.adminUrl);
  url.pathname = `/${database}`;
  return {
    bucket: topology.bucket,
    queueUrl: topology.queueUrl,
    dlqUrl: topology.dlqUrl,
    databaseUrl: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    },
  };
}

/** One `consumer run` child and everything it wrote to stderr (its log lines). */
export interface FleetMember {
  child: ChildProcess;
  stderr: string;
}

/** The `consumer run` children of the current measurement. */
export class ConsumerFleet {
  readonly #children = new Set<ChildProcess>();
  readonly #members: FleetMember[] = [];
  readonly #root: string;
  readonly #moto: BenchMoto;
  readonly #bunny: BunnyStreamDouble;

  constructor(root: string, moto: BenchMoto, bunny: BunnyStreamDouble) {
    this.#root = root;
    this.#moto = moto;
    this.#bunny = bunny;
  }

  /** The children started since the last stop(), with their output so far. */
  get members(): readonly FleetMember[] {
    return this.#members;
  }

  /**
   * `consumer run` children, each with its own DATA_DIR and port, started together; `env` adds to
   * (or overrides) the variables every child gets.
   */
  async start(n: number, target: Stage, label: string, env: Record<string, string> = {}): Promise<void> {
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const child = spawn(
          process.execPath,
          [`${repoRoot}render-consumer/bin/exercise-consumer.js`, 'run'],
          {
            cwd: repoRoot,
            detached: true,
            stdio: ['ignore', 'ignore', 'pipe'],
            env: {
              PATH: process.env.PATH ?? '',
              HOME: process.env.HOME ?? '',
              AWS_ACCESS_KEY_ID: 'bench',
              AWS_SECRET_ACCESS_KEY: 'bench',
              AWS_REGION: 'eu-central-1',
              AWS_ENDPOINT_URL: this.#moto.endpoint,
              ASSETS_BUCKET: target.bucket,
              RENDER_QUEUE_URL: target.queueUrl,
              RENDER_DLQ_URL: target.dlqUrl,
              DATABASE_URL: target.databaseUrl,
              DATA_DIR: path.join(this.#root, `data-${label}-${i}`),
              PUBLISH_TARGET: 'bunny',
              BUNNY_STREAM_API_URL: this.#bunny.url,
              BUNNY_STREAM_LIBRARY_ID: this.#bunny.libraryId,
              BUNNY_STREAM_API_KEY: this.#bunny.apiKey,
              BUNNY_STREAM_CDN_HOSTNAME: 'vz-bench.b-cdn.net',
              COMPOSER_PORT: String(await freePortNumber()),
              SETTLE_SECONDS: String(QUIET_SECONDS),
              LOG_LEVEL: 'warn',
              QUEUE_WAIT_SECONDS: '1',
              SHUTDOWN_DEADLINE_SECONDS: '5',
              ...env,
            },
          },
        );
        this.#children.add(child);
        const member: FleetMember = { child, stderr: '' };
        this.#members.push(member);
        child.stderr?.on('data', (chunk: Buffer) => {
          member.stderr += chunk.toString('utf8');
        });
        const deadline = Date.now() + 60_000;
        while (!member.stderr.includes('render consumer listening on')) {
          if (child.exitCode !== null || Date.now() > deadline)
            throw new Error(`consumer did not start: ${member.stderr}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }),
    );
  }

  async stop(): Promise<void> {
    this.#members.length = 0;
    await Promise.all(
      [...this.#children].map(async (child) => {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => killGroup(child), 20_000);
        await exited;
        clearTimeout(timer);
        this.#children.delete(child);
      }),
    );
  }

  /** At exit, whatever a failed measurement left running. */
  killAll(): void {
    for (const child of this.#children) killGroup(child);
  }
}

/** Each consumer runs in a process group of its own: kill the whole group so nothing is left behind. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
