import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** What became of a delivery with exactly this content, so the same content is not ingested again. */
export interface RememberedOutcome {
  status: 'done' | 'refused';
  /** snapshotSignature of the delivery as it was handed to ingest. */
  signature: string;
  /** ISO 8601. */
  at: string;
}

const fileSchema = z.object({
  version: z.literal(1),
  deliveries: z.record(
    z.string(),
    z.object({ status: z.enum(['done', 'refused']), signature: z.string(), at: z.string() }),
  ),
});

/** Only `OutcomeMemory.open` holds this, so the memory is never built without its file read. */
const OPENING = Symbol('OutcomeMemory.open');

/**
 * Outcomes of deliveries that stay in the drop dir (refused, or ingested with `onSuccess: leave`),
 * keyed by the delivery folder's absolute path and kept in one JSON file under DATA_DIR, so a
 * restarted agent does not retry a refusal nobody has fixed yet. Without a file it lives in memory.
 */
export class OutcomeMemory {
  readonly #file: string | undefined;
  readonly #entries: Map<string, RememberedOutcome>;
  #writing: Promise<void> = Promise.resolve();
  /** Why the file could not be read (it is then ignored and overwritten on the next change). */
  readonly loadProblem: string | undefined;

  constructor(
    opening: typeof OPENING,
    file: string | undefined,
    entries: Map<string, RememberedOutcome>,
    problem?: string,
  ) {
    if (opening !== OPENING) throw new TypeError('an OutcomeMemory comes from OutcomeMemory.open');
    this.#file = file;
    this.#entries = entries;
    this.loadProblem = problem;
  }

  /** @param file e.g. `$DATA_DIR/watch/outcomes.json`; undefined keeps the memory in this process only */
  static async open(file: string | undefined): Promise<OutcomeMemory> {
    if (file === undefined) return new OutcomeMemory(OPENING, undefined, new Map());
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return new OutcomeMemory(OPENING, file, new Map());
      throw error;
    }
    let parsed: z.infer<typeof fileSchema> | undefined;
    try {
      parsed = fileSchema.parse(JSON.parse(text));
    } catch {
      const problem = `${file} is not a valid outcome file; it is ignored and will be rewritten (refused deliveries are checked once more)`;
      return new OutcomeMemory(OPENING, file, new Map(), problem);
    }
    return new OutcomeMemory(OPENING, file, new Map(Object.entries(parsed.deliveries)));
  }

  get(folder: string): RememberedOutcome | undefined {
    return this.#entries.get(folder);
  }

  /** Records the outcome and writes the file (writes are serialized; `flush` awaits the last one). */
  set(folder: string, outcome: RememberedOutcome): Promise<void> {
    this.#entries.set(folder, outcome);
    return this.#persist();
  }

  delete(folder: string): Promise<void> {
    if (!this.#entries.delete(folder)) return this.#writing;
    return this.#persist();
  }

  flush(): Promise<void> {
    return this.#writing;
  }

  #persist(): Promise<void> {
    const file = this.#file;
    if (file === undefined) return Promise.resolve();
    const document = { version: 1, deliveries: Object.fromEntries(this.#entries) };
    const next = this.#writing.then(async () => {
      await mkdir(path.dirname(file), { recursive: true });
      // Write-then-rename: a crash mid-write leaves the previous file, never half a JSON document.
      const temporary = `${file}.${process.pid}.tmp`;
      try {
        await writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`);
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true }).catch(() => undefined);
        throw error;
      }
    });
    // A failed write must not block later ones; the caller of this write still sees the error.
    this.#writing = next.catch(() => undefined);
    return next;
  }
}
