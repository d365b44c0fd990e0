import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { canonicalJson } from '@exercise-pipeline/shared';
import { z } from 'zod';
import { describeLocalFailure } from '../stage/local-storage-error.js';

/** Folder under DATA_DIR holding one journal file per delivery folder. */
export const JOURNAL_DIR = 'ingest-journal';

/**
 * Where a delivery got to. `staged` → the bundle is built under DATA_DIR; `uploading` → the sync
 * started; `synced` → the bucket holds the bundle; `reporting` → the verdict (in `result`) is
 * final, but the team and the operators may not have been told yet: a restart tells them from the
 * stored result instead of judging or uploading again. `done` and `refused` are final for this
 * exact content of the folder.
 */
export const JOURNAL_STATES = ['staged', 'uploading', 'synced', 'reporting', 'done', 'refused'] as const;

const entrySchema = z.object({
  version: z.literal(1),
  deliveryId: z.string(),
  folder: z.string(),
  /**
   * Hash of the folder's listing (paths, sizes, mtimes; junk left out) and the agent config: "the
   * same delivery" (contentIdentity in ingest/, which also recognises entries signed with junk in).
   */
  signature: z.string(),
  state: z.enum(JOURNAL_STATES),
  exercise: z.string().nullable(),
  /** Stored outcome for `reporting` / `done` / `refused`, returned again instead of repeating the work. */
  result: z.unknown().optional(),
  /** `reporting` a refusal: "Delivery Refused" is on the bus already and must not be put twice. */
  announced: z.boolean().optional(),
});

export type JournalEntry = z.output<typeof entrySchema>;

/** Stable id of a delivery folder: the same path always maps to the same journal file. */
export function deliveryIdOf(folder: string): string {
  return createHash('sha256').update(resolve(folder), 'utf8').digest('hex').slice(0, 24);
}

/** The content identity of a delivery: what it holds and the rules it is judged by. */
export function deliverySignature(
  files: readonly { relativePath: string; size: number; mtimeMs: number }[],
  config: unknown,
): string {
  const listing = files.map((file) => [file.relativePath, file.size, file.mtimeMs]);
  return createHash('sha256').update(canonicalJson({ listing, config }), 'utf8').digest('hex');
}

/**
 * A durable record per delivery folder under DATA_DIR, written atomically (temp file, fsync,
 * rename) so a crash leaves either the old or the new state, never half of one. An unreadable
 * entry counts as absent: the delivery is simply ingested again, which the delta sync makes cheap.
 */
export class Journal {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(resolve(dataDir), JOURNAL_DIR);
  }

  #pathOf(deliveryId: string): string {
    return join(this.dir, `${deliveryId}.json`);
  }

  async get(deliveryId: string): Promise<JournalEntry | null> {
    let text: string;
    try {
      text = await readFile(this.#pathOf(deliveryId), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      const parsed = entrySchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Throws LocalStorageError (path and cause named) when DATA_DIR does not take the write; no temp file stays. */
  async put(entry: JournalEntry): Promise<void> {
    const target = this.#pathOf(entry.deliveryId);
    const temp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
    const text = `${JSON.stringify(entrySchema.parse(entry), null, 2)}\n`;
    try {
      await mkdir(this.dir, { recursive: true });
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw await describeLocalFailure(target, error, 'write the ingest journal');
    }
  }

  /**
   * Every readable entry with the time it was last written, in no particular order; unreadable
   * entries and temp files are left out, and a missing journal folder is an empty journal.
   */
  async entries(): Promise<{ entry: JournalEntry; writtenAt: Date }[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const found: { entry: JournalEntry; writtenAt: Date }[] = [];
    for (const name of names) {
      if (!/^[0-9a-f]{24}\.json$/.test(name)) continue;
      const deliveryId = name.slice(0, -'.json'.length);
      const [entry, stats] = await Promise.all([
        this.get(deliveryId),
        stat(this.#pathOf(deliveryId)).catch(() => null),
      ]);
      if (entry !== null && stats !== null) found.push({ entry, writtenAt: stats.mtime });
    }
    return found;
  }

  async remove(deliveryId: string): Promise<void> {
    await rm(this.#pathOf(deliveryId), { force: true });
  }
}
