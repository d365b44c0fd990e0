import { type Dirent, type FSWatcher, watch as fsWatch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ChangeHandlers, ChangeSource } from './change-source.js';
import { type DropLocation, locateInDrop } from './drop-layout.js';

/** fs.watch as this source uses it: one folder, a listener for its entries. */
export type WatchFolder = (
  dir: string,
  listener: (event: string, name: string | Buffer | null) => void,
) => FSWatcher;

/** Errors with which the system refuses another watch: the inotify limit, or no file handles left. */
const WATCH_LIMIT_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EMFILE']);

export interface DirWatchSourceOptions {
  /** Whether a path is outside every delivery (junk, processed/, rejected/, the report). */
  isIgnored: (location: DropLocation) => boolean;
  /** Stands in for fs.watch (tests make it refuse watches like a full inotify table). */
  watch?: WatchFolder;
  /**
   * The system refused a watch (ENOSPC: `fs.inotify.max_user_watches` reached; EMFILE): called once,
   * and no more watches are added. Without it the refusal is reported as an error.
   */
  onWatchLimit?: (error: Error) => void;
  /** The drop dir's own watch says the drop dir itself was moved, removed or unmounted. */
  onDropDirEvent?: () => void;
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
  readonly #watchFolder: WatchFolder;
  readonly #onWatchLimit: ((error: Error) => void) | undefined;
  readonly #onDropDirEvent: (() => void) | undefined;
  #handlers: ChangeHandlers | undefined;
  #closed = false;
  /** The system refused a watch: none are added any more. */
  #limited = false;
  /** Re-establishing watches after the drop dir came back: what exists was reported by someone else. */
  #silent = false;

  constructor(dropDir: string, options: DirWatchSourceOptions) {
    this.#dropDir = path.resolve(dropDir);
    this.#isIgnored = options.isIgnored;
    this.#watchFolder = options.watch ?? ((dir, listener) => fsWatch(dir, { persistent: true }, listener));
    this.#onWatchLimit = options.onWatchLimit;
    this.#onDropDirEvent = options.onDropDirEvent;
  }

  async start(handlers: ChangeHandlers): Promise<void> {
    this.#handlers = handlers;
    this.#closed = false;
    await this.#addTree(this.#dropDir);
  }

  /** Whether every folder is watched (false once the system refused a watch). */
  get complete(): boolean {
    return !this.#limited;
  }

  /**
   * Drops every watch and watches the drop dir's tree again without reporting what is in it: for a
   * drop dir that was removed and recreated or remounted, whose content a scan compares instead.
   */
  async rewatch(): Promise<void> {
    this.#dropWatches();
    if (this.#closed || this.#limited) return;
    this.#silent = true;
    try {
      await this.#addTree(this.#dropDir);
    } finally {
      this.#silent = false;
    }
  }

  /** Stops watching, for now (the drop dir is away); `rewatch` starts again. */
  pause(): void {
    this.#dropWatches();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#dropWatches();
  }

  #dropWatches(): void {
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
    if (this.#limited || !this.#watch(dir)) return;
    const isDropDir = dir === this.#dropDir;
    const report = !this.#silent;
    if (!isDropDir && report) this.#handlers?.onEvent('addDir', dir);
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
      else if (!isDropDir && report && !this.#ignored(full)) this.#handlers?.onEvent('add', full);
    }
  }

  #watch(dir: string): boolean {
    let watcher: FSWatcher;
    try {
      watcher = this.#watchFolder(dir, (event, name) => this.#onRaw(dir, event, name));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (WATCH_LIMIT_CODES.has(code) && this.#onWatchLimit !== undefined) {
        this.#limited = true;
        this.#onWatchLimit(asError(error));
      } else if (code !== 'ENOENT') this.#handlers?.onError(asError(error));
      return false;
    }
    // A removed folder's watch errors on some platforms; the parent's event reports the removal.
    watcher.on('error', () => {
      this.#removeTree(dir);
      if (dir === this.#dropDir) this.#onDropDirEvent?.();
    });
    this.#watchers.set(dir, watcher);
    return true;
  }

  #onRaw(dir: string, event: string, name: string | Buffer | null): void {
    if (this.#closed) return;
    // inotify names the watched folder itself when it is moved or removed (IN_MOVE_SELF, IN_DELETE_SELF).
    if (dir === this.#dropDir && name !== null && name.toString() === path.basename(dir)) {
      this.#onDropDirEvent?.();
    }
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
