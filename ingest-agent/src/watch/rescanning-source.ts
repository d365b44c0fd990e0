import path from 'node:path';
import type { ChangeHandlers, ChangeSource, FileEventType, SourceStatus } from './change-source.js';
import { DirWatchSource, type WatchFolder } from './dir-watch-source.js';
import type { DropLocation } from './drop-layout.js';
import { ScanPoller } from './scan-poller.js';

export interface RescanningSourceOptions {
  /** Whether a path is outside every delivery (junk, processed/, rejected/, the report). */
  isIgnored: (location: DropLocation) => boolean;
  /** Time between safety rescans while native watches work, in ms. Default 60 000. */
  rescanMs?: number;
  /** Time between scans once native watches were refused and polling took over, in ms. Default 5000. */
  pollIntervalMs?: number;
  /** Stands in for fs.watch (tests). */
  watch?: WatchFolder;
}

/**
 * Native change events (one fs.watch per folder) with a safety net: a full scan every `rescanMs`
 * compares sizes and mtimes with the previous scan and reports what the native events missed
 * (events are dropped under load, and a watch on a folder that was removed and recreated — an
 * SMB/NFS remount, a NAS reboot — sees nothing at all). The scan also notices the drop dir going
 * away and coming back: watches are dropped while it is away and set up again (without reporting
 * what is already known) when it returns. When the system refuses more watches (ENOSPC, the
 * inotify limit) the native part is given up and the scan runs every `pollIntervalMs` instead.
 *
 * A change the native events already reported is not reported again by the scan: paths reported
 * natively since the start of the previous scan are skipped (two generations, because a change
 * may land in a folder the running scan has already passed, so only the next scan sees it).
 */
export class RescanningSource implements ChangeSource {
  readonly #dropDir: string;
  readonly #native: DirWatchSource;
  readonly #poller: ScanPoller;
  readonly #pollIntervalMs: number;
  #mode: 'native' | 'scan-poll' = 'native';
  #handlers: ChangeHandlers | undefined;
  #watchLimit: Error | undefined;
  #fallenBack = false;
  #closed = false;
  #current = new Set<string>();
  #previous = new Set<string>();
  /** Changes the scan found that no native event had reported (for status and tests). */
  #missed = 0;

  constructor(dropDir: string, options: RescanningSourceOptions) {
    this.#dropDir = path.resolve(dropDir);
    this.#pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.#native = new DirWatchSource(this.#dropDir, {
      isIgnored: options.isIgnored,
      ...(options.watch ? { watch: options.watch } : {}),
      onWatchLimit: (error) => {
        this.#watchLimit = error;
      },
      // Look at once rather than at the next rescan.
      onDropDirEvent: () => this.#poller.scanSoon(),
    });
    this.#poller = new ScanPoller(this.#dropDir, {
      isIgnored: options.isIgnored,
      intervalMs: options.rescanMs ?? 60_000,
      onScanStart: () => {
        this.#previous = this.#current;
        this.#current = new Set();
      },
      onReplaced: () => {
        if (this.#mode === 'native') void this.#rewatch();
      },
    });
  }

  get mode(): string {
    return this.#mode;
  }

  /** Changes found by a rescan that no native event reported. */
  get missedEvents(): number {
    return this.#missed;
  }

  status(): SourceStatus {
    return this.#poller.status();
  }

  async start(handlers: ChangeHandlers): Promise<void> {
    this.#handlers = handlers;
    await this.#native.start({
      onEvent: (type, file) => {
        this.#current.add(file);
        handlers.onEvent(type, file);
      },
      onError: handlers.onError,
    });
    this.#fallBackIfRefused();
    await this.#poller.start({
      onEvent: (type, file) => this.#onScanned(type, file),
      onError: handlers.onError,
      onDropDir: (change) => {
        if (this.#mode === 'native') {
          if (change.available) void this.#rewatch();
          else this.#native.pause();
        }
        handlers.onDropDir?.(change);
      },
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#native.close();
    await this.#poller.close();
  }

  #onScanned(type: FileEventType, file: string): void {
    if (this.#mode === 'native' && (this.#current.has(file) || this.#previous.has(file))) return;
    if (this.#mode === 'native') this.#missed += 1;
    this.#handlers?.onEvent(type, file);
  }

  async #rewatch(): Promise<void> {
    if (this.#closed) return;
    await this.#native.rewatch();
    this.#fallBackIfRefused();
  }

  #fallBackIfRefused(): void {
    if (this.#watchLimit === undefined || this.#fallenBack || this.#closed) return;
    this.#fallenBack = true;
    this.#mode = 'scan-poll';
    void this.#native.close();
    this.#poller.setInterval(this.#pollIntervalMs);
    const code = (this.#watchLimit as NodeJS.ErrnoException).code ?? 'error';
    this.#handlers?.onModeChange?.({
      mode: this.#mode,
      reason: `the system refuses more file watches (${code}${code === 'ENOSPC' ? ': raise fs.inotify.max_user_watches' : ''}); polling every ${this.#pollIntervalMs / 1000} s instead`,
    });
  }
}
