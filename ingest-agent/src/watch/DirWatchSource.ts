import { type Dirent, type FSWatcher, watch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ChangeHandlers, ChangeSource } from './changeSource.js';
import { type DropLocation, locateInDrop } from './dropLayout.js';

export interface DirWatchSourceOptions {
  /** Whether a path is outside every delivery (junk, processed/, rejected/, the report). */
  isIgnored: (location: DropLocation) => boolean;
}

/**
 * Native change events with one `fs.watch` per folder (inotify, FSEvents, ReadDirectoryChanges),
 * not one per file. A folder's watch reports every file created, written or removed in it, which
 * is all the settle tracker needs: it wants to know *that* a delivery changed, and the
 * completeness check then looks at every file itself. chokidar keeps a watcher per file, which
 * on a 10,000-file drop dir costs over 100 MB and can exhaust the inotify watch limit (8,192 on
 * many kernels); this costs one watch per folder and no per-file state.
 */
export class DirWatchSource implements ChangeSource {
  readonly mode = 'native';
  readonly #dropDir: string;
  readonly #isIgnored: (location: DropLocation) => boolean;
  readonly #watchers = new Map<string, FSWatcher>();
  #handlers: ChangeHandlers | undefined;
  #closed = false;

  constructor(dropDir: string, options: DirWatchSourceOptions) {
    this.#dropDir = path.resolve(dropDir);
    this.#isIgnored = options.isIgnored;
  }

  async start(handlers: ChangeHandlers): Promise<void> {
    this.#handlers = handlers;
    this.#closed = false;
    await this.#addTree(this.#dropDir);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }

  #ignored(absolutePath: string): boolean {
    const location = locateInDrop(this.#dropDir, absolutePath);
    return location !== undefined && this.#isIgnored(location);
  }

  /** Watches `dir` and every folder below it, reporting what is already there. */
  async #addTree(dir: string): Promise<void> {
    if (this.#closed || this.#watchers.has(dir) || this.#ignored(dir)) return;
    // Watch before listing, so a file created in between is reported by one or the other.
    if (!this.#watch(dir)) return;
    const isDropDir = dir === this.#dropDir;
    if (!isDropDir) this.#handlers?.onEvent('addDir', dir);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      this.#removeTree(dir);
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await this.#addTree(full);
      else if (!isDropDir && !this.#ignored(full)) this.#handlers?.onEvent('add', full);
    }
  }

  #watch(dir: string): boolean {
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: true }, (event, name) => this.#onRaw(dir, event, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.#handlers?.onError(asError(error));
      return false;
    }
    // A removed folder's watch errors on some platforms; the parent's event reports the removal.
    watcher.on('error', () => this.#removeTree(dir));
    this.#watchers.set(dir, watcher);
    return true;
  }

  #onRaw(dir: string, event: string, name: string | Buffer | null): void {
    if (this.#closed) return;
    if (name === null) {
      // The platform did not say what changed: count it as a change of the folder itself.
      if (dir !== this.#dropDir) this.#handlers?.onEvent('addDir', dir);
      return;
    }
    const full = path.join(dir, name.toString());
    if (this.#ignored(full)) return;
    if (event === 'change' && !this.#watchers.has(full)) {
      this.#handlers?.onEvent('change', full);
      return;
    }
    // `rename`: something appeared or went; only a stat can tell which.
    stat(full).then(
      (info) => {
        if (info.isDirectory()) return this.#addTree(full);
        this.#handlers?.onEvent('add', full);
        return undefined;
      },
      () => {
        const wasFolder = this.#watchers.has(full);
        this.#removeTree(full);
        this.#handlers?.onEvent(wasFolder ? 'unlinkDir' : 'unlink', full);
      },
    );
  }

  /** Stops watching `dir` and every folder below it. */
  #removeTree(dir: string): void {
    const prefix = `${dir}${path.sep}`;
    for (const [watched, watcher] of this.#watchers) {
      if (watched !== dir && !watched.startsWith(prefix)) continue;
      watcher.close();
      this.#watchers.delete(watched);
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
