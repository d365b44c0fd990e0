import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MessageFailureRow } from '../catalog/failures.js';
import type { CatalogEntry } from './catalog-show.js';
import type { VideoRenders } from './reconcile.js';

/**
 * How the ops commands reach a running consumer that holds the embedded PGlite catalog (PGlite is
 * one process's): `consumer run` writes its API address here, and `catalog show` or `dlq list`
 * started beside it ask that API instead of opening the catalog themselves.
 */
export function consumerApiFile(dataDir: string): string {
  return path.join(dataDir, 'consumer-api.json');
}

export interface ConsumerApiAddress {
  pid: number;
  /** A loopback base URL of the consumer's HTTP server. */
  url: string;
}

/** The loopback URL ops commands on this host use, whatever address the server is bound to. */
export function loopbackUrl(address: string, port: number): string {
  if (address === '0.0.0.0' || address === '') return `http://127.0.0.1:${port}`;
  if (address === '::') return `http://[::1]:${port}`;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

export async function writeConsumerApiAddress(dataDir: string, address: ConsumerApiAddress): Promise<void> {
  await writeFile(consumerApiFile(dataDir), `${JSON.stringify(address)}\n`);
}

export async function removeConsumerApiAddress(dataDir: string): Promise<void> {
  await rm(consumerApiFile(dataDir), { force: true });
}

/** The address the consumer with `pid` wrote, or undefined when it wrote none (or another did). */
export async function readConsumerApiAddress(
  dataDir: string,
  pid: number,
): Promise<ConsumerApiAddress | undefined> {
  try {
    const parsed = JSON.parse(
      await readFile(consumerApiFile(dataDir), 'utf8'),
    ) as Partial<ConsumerApiAddress>;
    return parsed.pid === pid && typeof parsed.url === 'string' ? { pid, url: parsed.url } : undefined;
  } catch {
    return undefined;
  }
}

/** What the DB-reading ops commands need from the catalog. */
export interface CatalogReads {
  /** Where the answers come from, for messages: `the catalog` or `the consumer at …`. */
  readonly via: string;
  catalogEntry(slug: string): Promise<CatalogEntry | null>;
  messageFailures(ids: readonly string[]): Promise<MessageFailureRow[]>;
  /** What `reconcile` compares with the Bunny library. */
  videoRenders(): Promise<VideoRenders>;
}

/** The paths the running consumer answers them on (see createOpsRoutes). */
export const OPS_PATHS = {
  catalog: '/api/ops/catalog/:slug',
  messageFailures: '/api/ops/message-failures',
  videoRenders: '/api/ops/video-renders',
} as const;

/** CatalogReads through the running consumer's API, with COMPOSER_API_TOKEN when one is set. */
export function consumerApiReads(url: string, token: string | undefined): CatalogReads {
  const get = async (pathAndQuery: string): Promise<Response> => {
    const response = await fetch(`${url}${pathAndQuery}`, {
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      signal: AbortSignal.timeout(30_000),
    });
    if (response.status === 401) {
      throw new Error(
        `the running consumer at ${url} wants its COMPOSER_API_TOKEN: set the same one for this command`,
      );
    }
    return response;
  };
  const failed = async (response: Response) =>
    new Error(`the running consumer at ${url} answered ${response.status}: ${await response.text()}`);
  return {
    via: `the running consumer at ${url}`,
    async catalogEntry(slug) {
      const response = await get(OPS_PATHS.catalog.replace(':slug', encodeURIComponent(slug)));
      if (response.status === 404) return null;
      if (!response.ok) throw await failed(response);
      return (await response.json()) as CatalogEntry;
    },
    async messageFailures(ids) {
      if (ids.length === 0) return [];
      const query = ids.map((id) => `id=${encodeURIComponent(id)}`).join('&');
      const response = await get(`${OPS_PATHS.messageFailures}?${query}`);
      if (!response.ok) throw await failed(response);
      return (await response.json()) as MessageFailureRow[];
    },
    async videoRenders() {
      const response = await get(OPS_PATHS.videoRenders);
      if (!response.ok) throw await failed(response);
      return (await response.json()) as VideoRenders;
    },
  };
}
