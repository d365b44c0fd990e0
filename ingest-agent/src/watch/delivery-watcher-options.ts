import type { Logger } from '@exercise-pipeline/shared';
import { PipelineError } from '@exercise-pipeline/shared';
import type { ProbeFile } from './check-delivery.js';
import type { WatchFolder } from './dir-watch-source.js';
import type { IngestReport, IngestRequest } from './watch-events.js';

/** A delivery as the completeness check found it, before it is handed to `ingest`. */
export type DeliveryChecked = Omit<IngestRequest, 'signal'>;

export interface DeliveryWatcherOptions<R extends IngestReport = IngestReport> {
  /** The drop dir; every top-level folder in it is one delivery. */
  dropDir: string;
  /** Ingests one settled delivery; may throw (counted as failed). */
  ingest: (request: IngestRequest) => Promise<R>;
  /** Quiet time before a delivery is checked. Default 30. */
  settleSeconds?: number;
  /** Junk globs (micromatch), as in the agent config. Default the agent's defaults. */
  junk?: readonly string[];
  /** Poll instead of native events (network shares). Default false. */
  poll?: boolean;
  /**
   * `builtin` (default): one fs.watch per folder, or with `poll` a walk of the tree every interval.
   * `chokidar`: chokidar's per-file native watches, or with `poll` its per-file fs.watchFile
   * polling. Both report the same; builtin needs far less memory and CPU on large drop dirs
   * (bench/watch-bench.ts).
   */
  engine?: 'builtin' | 'chokidar';
  /** Default 5. */
  pollIntervalSeconds?: number;
  /**
   * Native mode (builtin engine): a full scan this often catches changes the native events missed
   * and notices the drop dir going away and coming back. Default 60.
   */
  rescanSeconds?: number;
  /** A `watcher:heartbeat` event with the watcher's status this often. Default 300. */
  heartbeatSeconds?: number;
  /** Stands in for fs.watch in native mode (tests make it refuse watches like a full inotify table). */
  watchFolder?: WatchFolder;
  /** Ingests at once across deliveries (one per delivery at a time). Default 2. */
  maxConcurrentIngests?: number;
  /** Completeness checks (ffprobe runs) at once. Default 2. */
  maxConcurrentChecks?: number;
  /**
   * A delivery that stays quiet but incomplete (a cut-off or damaged file, an unreadable file, a
   * link to something that is no media) with exactly the same content for this long is handed to
   * `ingest` anyway, which refuses it with a report, so the team hears about it. Default 600;
   * `Infinity` waits for a change forever. A folder with no files at all is never handed over.
   */
  refuseIncompleteAfterSeconds?: number;
  /** Wait before retrying a failed ingest. Default 300. */
  retryFailedSeconds?: number;
  /**
   * What was decided before about a delivery with exactly the content just checked: `done` or
   * `refused` keeps it from `ingest` (a `delivery:unchanged` event instead) until it changes. The
   * daemon asks the ingest's journal (priorVerdict), so this holds across restarts. Default: nothing
   * is known, and every settled delivery is handed to `ingest`.
   */
  priorVerdict?: (delivery: DeliveryChecked) => Promise<'done' | 'refused' | undefined>;
  /** Completeness probe of one media file. Default ffprobe (`probeComplete`). */
  probe?: ProbeFile;
  /** How long `stop()` lets running ingests finish before aborting them. Default 30. */
  stopGraceSeconds?: number;
  /** Receives internal problems (watching, asking priorVerdict) also sent as `watcher:error`; events are not logged. */
  logger?: Pick<Logger, 'debug' | 'warn' | 'error'>;
}

/** The drop dir is missing or not a folder; `code` DROP_DIR_INVALID. */
export class DropDirError extends PipelineError {
  constructor(dropDir: string, detail: string) {
    super(`drop dir ${dropDir} ${detail}; create it, or pass the folder the filming team copies into`, {
      code: 'DROP_DIR_INVALID',
    });
  }
}
