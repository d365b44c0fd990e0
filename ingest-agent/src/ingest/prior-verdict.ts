import { resolve } from 'node:path';
import { deliveryIdOf, deliverySignature, Journal, type JournalEntry } from '../journal/journal.js';
import type { AgentConfig } from '../rules/agent-config.js';
import { isJunk } from '../rules/is-junk.js';
import { type DeliveryScan, scanDelivery } from './scan-delivery.js';

/** How the journal recognises "this very delivery again". */
export interface ContentIdentity {
  /** The listing without junk, and the config it is judged by (see deliverySignature). */
  signature: string;
  /** The same with junk included, as entries were signed before junk was left out; still recognised. */
  legacy: string;
}

/**
 * The identity of a delivery as listed: junk (`.DS_Store` that Finder rewrites when someone opens
 * the folder) is ignored everywhere else, so it does not make the delivery a different one either.
 */
export function contentIdentity(scan: DeliveryScan, config: AgentConfig): ContentIdentity {
  const content = scan.files.filter((file) => !isJunk(file.relativePath, config.junk));
  return {
    signature: deliverySignature(content, config),
    legacy: deliverySignature(scan.files, config),
  };
}

/** The entry was written for exactly this content (and config). */
export function isSameContent(entry: JournalEntry | null, identity: ContentIdentity): entry is JournalEntry {
  return entry !== null && (entry.signature === identity.signature || entry.signature === identity.legacy);
}

/** The final verdict an entry holds on this content: `done` or `refused`; undefined when there is none. */
export function standingVerdict(
  entry: JournalEntry | null,
  identity: ContentIdentity,
): 'done' | 'refused' | undefined {
  if (!isSameContent(entry, identity)) return undefined;
  return entry.state === 'done' || entry.state === 'refused' ? entry.state : undefined;
}

export interface PriorVerdictInput {
  folder: string;
  config: AgentConfig;
  /** DATA_DIR, where the journal lives. */
  dataDir: string;
}

/**
 * What was decided about the folder exactly as it is now, read from the journal ingestDelivery
 * writes: `done` or `refused` when nothing in it (junk aside) and nothing in the config changed
 * since; undefined when it has never been judged, changed since, or its report is unfinished.
 */
export async function priorVerdict(input: PriorVerdictInput): Promise<'done' | 'refused' | undefined> {
  const folder = resolve(input.folder);
  const entry = await new Journal(input.dataDir).get(deliveryIdOf(folder));
  if (entry === null || (entry.state !== 'done' && entry.state !== 'refused')) return undefined;
  return standingVerdict(entry, contentIdentity(await scanDelivery(folder), input.config));
}
