import { watch } from 'chokidar';

export type FileEventType = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export interface ChangeHandlers {
  onEvent(type: FileEventType, absolutePath: string): void;
  onError(error: Error): void;
  /**
   * The drop dir itself went away (removed, unmounted, unreadable) or came back. Called once per
   * change, never per scan; while it is away the source keeps what it knew, so a share that comes
   * back unchanged reports nothing.
   */
  onDropDir?(change: { available: boolean; problem?: string }): void;
  /** The source changed how it watches, e.g. from native watches to polling. */
  onModeChange?(change: { mode: string; reason: string }): void;
}

/** What a source can say about itself for status output. */
export interface SourceStatus {
  /** False while the drop dir is away. */
  dropDirAvailable: boolean;
  /** When the drop dir was last walked completely (ms since the epoch), if it ever was. */
  lastScanAt?: number;
}

/**
 * Something that reports changes under the drop dir: per-folder native watches, the scanning
 * poller, or chokidar (native or polling). Callers still filter paths by the ignore rules.
 */
export interface ChangeSource {
  /** What this source is, for logs: `native`, `scan-poll`, `chokidar-native`, `chokidar-poll`. */
  readonly mode: string;
  /** Starts watching; resolves once every path that already exists has been reported. */
  start(handlers: ChangeHandlers): Promise<void>;
  close(): Promise<void>;
  /** Sources that walk the drop dir themselves report on it; chokidar does not. */
  status?(): SourceStatus;
}

export interface ChokidarSourceOptions {
  /** fs.watchFile polling instead of native events (network shares). Default false. */
  usePolling?: boolean;
  /** Polling interval in ms, for text and binary files alike. Default 5000. */
  intervalMs?: number;
  ignored: (absolutePath: string, stats?: { isFile(): boolean }) => boolean;
}

const FILE_EVENTS: ReadonlySet<string> = new Set(['add', 'change', 'unlink', 'addDir', 'unlinkDir']);

export function createChokidarSource(dropDir: string, options: ChokidarSourceOptions): ChangeSource {
  const usePolling = options.usePolling ?? false;
  const interval = options.intervalMs ?? 5000;
  let watcher: ReturnType<typeof watch> | undefined;
  return {
    mode: usePolling ? 'chokidar-poll' : 'chokidar-native',
    start(handlers) {
      return new Promise((resolve) => {
        const instance = watch(dropDir, {
          ignored: options.ignored,
          ignoreInitial: false,
          persistent: true,
          usePolling,
          interval,
          // Videos count as binary files for chokidar; they need the same interval.
          binaryInterval: interval,
          // The settle tracker decides when writing has finished; chokidar's own size polling
          // would only delay the events it needs and cannot see a copy paused for a while.
          awaitWriteFinish: false,
        });
        watcher = instance;
        instance.on('all', (event, path) => {
          if (FILE_EVENTS.has(event)) handlers.onEvent(event as FileEventType, path);
        });
        // Errors (an unreadable sub-folder, a vanished share) are reported, not fatal: the
        // rest of the drop dir keeps being watched.
        instance.on('error', (error) => {
          handlers.onError(error instanceof Error ? error : new Error(String(error)));
        });
        instance.once('ready', () => resolve());
      });
    },
    async close() {
      await watcher?.close();
      watcher = undefined;
    },
  };
}
