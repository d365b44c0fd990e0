import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  awsClientOptions,
  type CliIo,
  ConfigError,
  type ConfigWith,
  createLogger,
  createSqsClient,
  EXIT,
  type FieldIssue,
  type Logger,
  loadConfig,
  type OptionalConfigKey,
  type PipelineConfig,
  requireConfig,
  writeJson,
  writeJsonError,
} from '@exercise-pipeline/shared';
import { type CatalogDb, CatalogInUseError, openCatalogDb } from '../catalog/database.js';
import { findMessageFailures } from '../catalog/failures.js';
import { migrateCatalog } from '../catalog/migrate.js';
import { showCatalogEntry } from '../ops/catalog-show.js';
import { type CatalogReads, consumerApiReads, readConsumerApiAddress } from '../ops/consumer-api.js';
import { listVideoRenders } from '../ops/reconcile.js';

/**
 * What the operations commands (catalog, dlq, sweep, import, reconcile, refresh) share:
 * configuration, the catalog database, the SQS client and the way results and refusals are
 * printed. A command prints one JSON document on stdout with --json, and human text otherwise;
 * messages go to stderr. Their flags are parsed by the shared defineCommand.
 */

export interface Reporter {
  /** Prints the result: `document` as JSON with --json, else `text`. */
  done(document: unknown, text: string, code?: number): number;
  /** Exit 2: the input was refused, with the reasons. */
  refused(message: string, reasons?: readonly FieldIssue[], code?: string): number;
  /** Exit 1: something failed that is not the input's fault. */
  failed(message: string, code?: string): number;
}

export function createReporter(io: CliIo, command: string, json: boolean): Reporter {
  const print = (document: unknown) => writeJson(io.stdout, document);
  return {
    done(document, text, code = EXIT.done) {
      if (json) print(document);
      else io.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
      return code;
    },
    refused(message, reasons = [], code = 'INPUT_REFUSED') {
      const lines = reasons.map((reason) => `  ${reason.field}: ${reason.message}\n`).join('');
      io.stderr.write(`${command}: ${message}${lines === '' ? '\n' : `:\n${lines}`}`);
      if (json) writeJsonError(io.stdout, { code, message, reasons });
      return EXIT.refused;
    },
    failed(message, code = 'FAILED') {
      io.stderr.write(`${command} failed: ${message}\n`);
      if (json) writeJsonError(io.stdout, { code, message });
      return EXIT.failure;
    },
  };
}

/**
 * The validated configuration with the settings this command needs. A bad or missing variable is
 * one line on stderr and exit 1, like every other program start; returned as a number then.
 */
export function opsConfig<K extends OptionalConfigKey = never>(
  io: CliIo,
  required: readonly K[] = [],
): ConfigWith<K> | number {
  try {
    return requireConfig(loadConfig(io.env), required);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return EXIT.failure;
  }
}

export function opsLogger(io: CliIo, level: string): Logger {
  return createLogger({ name: 'render-consumer', level, destination: io.stderr });
}

/** The catalog (PostgreSQL with DATABASE_URL, else PGlite under DATA_DIR), migrated to the current schema. */
export async function openCatalog(config: { databaseUrl?: string; dataDir: string }): Promise<CatalogDb> {
  const db = await openCatalogDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    maxConnections: 2,
  });
  try {
    await migrateCatalog(db);
    return db;
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

/**
 * Opens the catalog, runs `work` with it and closes it whatever happens. Anything thrown, the
 * opening included, is exit 1 with its message, unless `refusal` answers it first (with the exit
 * code of a refusal it printed).
 */
export async function withCatalog(
  config: { databaseUrl?: string; dataDir: string },
  report: Reporter,
  work: (db: CatalogDb) => Promise<number>,
  refusal?: (error: unknown) => number | undefined,
): Promise<number> {
  let db: CatalogDb | undefined;
  try {
    db = await openCatalog(config);
    return await work(db);
  } catch (error) {
    return refusal?.(error) ?? report.failed(errorMessage(error));
  } finally {
    await db?.close().catch(() => {});
  }
}

/**
 * The catalog reads of `catalog show` and `dlq list|show`: the catalog itself, or, when a running
 * `consumer run` holds the embedded PGlite catalog, that consumer's API (see ops/consumer-api.ts).
 * `close` releases whichever it was.
 */
export async function openCatalogReads(config: {
  databaseUrl?: string;
  dataDir: string;
  composerApiToken?: string;
}): Promise<{ reads: CatalogReads; close(): Promise<void> }> {
  try {
    const db = await openCatalog(config);
    return {
      reads: {
        via: 'the catalog',
        catalogEntry: (slug) => showCatalogEntry(db, slug),
        messageFailures: (ids) => findMessageFailures(db, ids),
        videoRenders: () => listVideoRenders(db),
      },
      close: () => db.close(),
    };
  } catch (error) {
    if (!(error instanceof CatalogInUseError)) throw error;
    const address = await readConsumerApiAddress(config.dataDir, error.holderPid);
    if (!address) throw error;
    return { reads: consumerApiReads(address.url, config.composerApiToken), close: async () => {} };
  }
}

export function opsSqsClient(config: PipelineConfig): SQSClient {
  return createSqsClient(awsClientOptions(config));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
