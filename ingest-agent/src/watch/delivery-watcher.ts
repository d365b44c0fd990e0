import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Slots } from '@exercise-pipeline/shared';
import { DEFAULT_JUNK } from '../rules/default-rules.js';
import { type ChangeSource, createChokidarSource, type FileEventType } from './change-source.js';
import { checkDelivery, type DeliveryCheck } from './check-delivery.js';
import { type DeliveryWatcherOptions, DropDirError } from './delivery-watcher-options.js';
import { createIgnoreMatcher, createLocationFilter, locateInDrop } from './drop-layout.js';
import { RescanningSource } from './rescanning-source.js';
import { ScanPoller } from './scan-poller.js';
import { type CheckOutcome, type IngestOutcome, SettleTracker } from './settle-tracker.js';
import type { IngestReport, IngestRequest, WatchEvents, WatcherStatus } from './watch-events.js';

/** After the grace period, aborted ingests get this long to unwind before stop() gives up on them. */
const FORCE_WAIT_MS = 5000;

/**
 * Watches a drop dir and ingests each delivery folder once it has settled: quiet for the settle
 * time, stable across a snapshot–probe–snapshot check, every media file complete. Deliveries
 * are independent; at most `maxConcurrentIngests` run at once. A delivery `priorVerdict` knows as
 * judged (the ingest's journal, across restarts too) is not handed over again until it changes. The
 * watcher itself never writes to a delivery nor moves it: that is the ingest's job.
 */
export { type DeliveryWatcherOptions, DropDirError } from './delivery-watcher-options.js';

export class DeliveryWatcher<R extends IngestReport = IngestReport> extends EventEmitter<WatchEvents<R>> {
  readonly dropDir: string;
  readonly #options: DeliveryWatcherOptions<R>;
  readonly #settleMs: number;
  readonly #retryMs: number;
  readonly #refuseIncompleteMs: number;
  /** Since when each incomplete delivery has had exactly this content (performance.now()). */
  readonly #incompleteSince = new Map<string, { signature: string; since: number }>();
  readonly #tracker: SettleTracker;
  readonly #isIgnored: ReturnType<typeof createLocationFilter>;
  readonly #checkSlots: Slots;
  /** Settled check results awaiting an ingest slot. */
  readonly #settled = new Map<string, Extract<DeliveryCheck, { outcome: 'settled' }>>();
  readonly #work = new Set<Promise<void>>();
  readonly #running = new Set<string>();
  readonly #checkAbort = new AbortController();
  readonly #ingestAbort = new AbortController();
  #source: ChangeSource | undefined;
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #wakeAt: number | undefined;
  #dropDirProblem: string | undefined;
  #state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  #stopping: Promise<{ unfinished: string[] }> | undefined;

  constructor(options: DeliveryWatcherOptions<R>) {
    super();
    this.dropDir = path.resolve(options.dropDir);
    this.#options = options;
    this.#settleMs = (options.settleSeconds ?? 30) * 1000;
    this.#retryMs = (options.retryFailedSeconds ?? 300) * 1000;
    this.#refuseIncompleteMs = (options.refuseIncompleteAfterSeconds ?? 600) * 1000;
    this.#tracker = new SettleTracker({
      settleMs: this.#settleMs,
      maxConcurrentIngests: options.maxConcurrentIngests ?? 2,
      retryFailedMs: this.#retryMs,
    });
    this.#isIgnored = createLocationFilter(options.junk ?? DEFAULT_JUNK);
    this.#checkSlots = new Slots(options.maxConcurrentChecks ?? 2);
  }

  /** How the drop dir is watched: `native`, `scan-poll`, `chokidar-native` or `chokidar-poll`. */
  get mode(): string | undefined {
    return this.#source?.mode;
  }

  /** What the watcher is doing: the heartbeat's content. */
  status(): WatcherStatus {
    const source = this.#source?.status?.();
    const available = source?.dropDirAvailable ?? this.#dropDirProblem === undefined;
    const deliveries: Record<string, number> = {};
    for (const { phase } of this.deliveries()) deliveries[phase] = (deliveries[phase] ?? 0) + 1;
    return {
      dropDir: this.dropDir,
      mode: this.mode,
      watching: this.#state === 'running' && available,
      dropDirAvailable: available,
      ...(this.#dropDirProblem === undefined || available ? {} : { problem: this.#dropDirProblem }),
      lastScanAt: source?.lastScanAt === undefined ? null : new Date(source.lastScanAt).toISOString(),
      deliveries,
    };
  }

  /** Phase of every known delivery, for status output. */
  deliveries(): { delivery: string; phase: string; idleReason?: string }[] {
    return this.#tracker.names().map((delivery) => {
      const status = this.#tracker.status(delivery);
      const idleReason = status?.idleReason;
      return {
        delivery,
        phase: status?.phase ?? 'gone',
        ...(idleReason === undefined ? {} : { idleReason }),
      };
    });
  }

  /** Starts watching; resolves once the deliveries already in the drop dir are known. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('DeliveryWatcher.start() can be called once per watcher');
    this.#state = 'starting';
    const info = await stat(this.dropDir).catch(() => undefined);
    if (info === undefined) throw new DropDirError(this.dropDir, 'does not exist');
    if (!info.isDirectory()) throw new DropDirError(this.dropDir, 'is not a folder');
    this.#source = this.#createSource();
    await this.#source.start({
      onEvent: (type, file) => this.#onFileEvent(type, file),
      onError: (error) => this.#reportError(error),
      onDropDir: ({ available, problem }) => {
        this.#dropDirProblem = available ? undefined : problem;
        this.emit('watcher:drop-dir', { dropDir: this.dropDir, available, ...(problem ? { problem } : {}) });
        // Checks wait while it is away (every delivery would look deleted); they resume now.
        if (available) this.#schedule();
      },
      onModeChange: ({ mode, reason }) => this.emit('watcher:mode', { dropDir: this.dropDir, mode, reason }),
    });
    if (this.#state !== 'starting') return; // stopped during start
    this.#state = 'running';
    this.emit('watcher:ready', {
      dropDir: this.dropDir,
      mode: this.#source.mode,
      deliveries: this.#tracker.names().length,
    });
    const heartbeatMs = (this.#options.heartbeatSeconds ?? 300) * 1000;
    this.#heartbeat = setInterval(() => this.emit('watcher:heartbeat', this.status()), heartbeatMs);
    this.#tick();
  }

  /**
   * Stops watching and starting work; lets running ingests finish for `stopGraceSeconds`, then
   * aborts them and waits a little more. Resolves with the deliveries still unfinished.
   */
  stop(): Promise<{ unfinished: string[] }> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<{ unfinished: string[] }> {
    this.#state = 'stopping';
    clearInterval(this.#heartbeat);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#source?.close();
    this.#checkAbort.abort(new Error('the watcher is stopping'));
    const graceMs = (this.#options.stopGraceSeconds ?? 30) * 1000;
    if (!(await this.#drain(graceMs))) {
      this.#ingestAbort.abort(new Error('the watcher stopped before the ingest finished'));
      await this.#drain(FORCE_WAIT_MS);
    }
    const unfinished = [...this.#running];
    this.#state = 'stopped';
    this.emit('watcher:stopped', { unfinished });
    return { unfinished };
  }

  /** Waits for all running checks and ingests, at most `ms`; true when they all ended. */
  async #drain(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const all = Promise.allSettled([...this.#work]).then(() => true);
    const done = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return done;
  }

  #createSource(): ChangeSource {
    const { poll = false, engine = 'builtin' } = this.#options;
    const intervalMs = (this.#options.pollIntervalSeconds ?? 5) * 1000;
    if (engine === 'builtin') {
      if (poll) return new ScanPoller(this.dropDir, { intervalMs, isIgnored: this.#isIgnored });
      return new RescanningSource(this.dropDir, {
        isIgnored: this.#isIgnored,
        rescanMs: (this.#options.rescanSeconds ?? 60) * 1000,
        pollIntervalMs: intervalMs,
        ...(this.#options.watchFolder ? { watch: this.#options.watchFolder } : {}),
      });
    }
    return createChokidarSource(this.dropDir, {
      usePolling: poll,
      intervalMs,
      ignored: createIgnoreMatcher(this.dropDir, this.#options.junk ?? DEFAULT_JUNK),
    });
  }

  #onFileEvent(type: FileEventType, file: string): void {
    if (this.#state !== 'starting' && this.#state !== 'running') return;
    const location = locateInDrop(this.dropDir, file);
    if (location === undefined || this.#isIgnored(location)) return;
    const { delivery, relativePath } = location;
    const isFolderItself = relativePath === '';
    // A loose file in the drop dir is no delivery.
    if (isFolderItself && type !== 'addDir' && type !== 'unlinkDir') return;
    const ref = { delivery, folder: path.join(this.dropDir, delivery) };
    if (isFolderItself && type === 'unlinkDir') {
      this.#forget(ref);
      return;
    }
    const observation = this.#tracker.observe(
      delivery,
      performance.now(),
      type !== 'unlink' && type !== 'unlinkDir',
    );
    if (observation === undefined) return;
    if (observation.isNew) this.emit('delivery:seen', ref);
    if (observation.phase === 'waiting' && observation.previous !== 'waiting') {
      this.emit('delivery:settling', { ...ref, settleSeconds: this.#settleMs / 1000 });
    }
    // #schedule keeps an earlier timer and replaces a later one (an incomplete delivery's re-check).
    if (this.#state === 'running') this.#schedule();
  }

  #forget(ref: { delivery: string; folder: string }): void {
    const known = this.#tracker.status(ref.delivery) !== undefined;
    this.#tracker.forget(ref.delivery);
    this.#settled.delete(ref.delivery);
    this.#incompleteSince.delete(ref.delivery);
    if (known) this.emit('delivery:removed', ref);
  }

  #schedule(): void {
    const at = this.#tracker.nextWakeAt();
    if (at === undefined || this.#state !== 'running' || this.#dropDirProblem !== undefined) return;
    if (this.#timer !== undefined && this.#wakeAt !== undefined && this.#wakeAt <= at) return;
    clearTimeout(this.#timer);
    this.#wakeAt = at;
    // +1 ms: timers may fire a hair early against performance.now().
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, at - performance.now()) + 1);
  }

  #tick(): void {
    this.#timer = undefined;
    this.#wakeAt = undefined;
    if (this.#state !== 'running' || this.#dropDirProblem !== undefined) return;
    for (const delivery of this.#tracker.takeDue(performance.now())) this.#track(this.#check(delivery));
    this.#startIngests();
    this.#schedule();
  }

  #track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => this.#reportError(error))
      .finally(() => this.#work.delete(tracked));
    this.#work.add(tracked);
  }

  async #check(delivery: string): Promise<void> {
    const folder = path.join(this.dropDir, delivery);
    const ref = { delivery, folder };
    let outcome: CheckOutcome = 'unstable';
    let recheckAt: number | undefined;
    try {
      const result = await this.#checkSlots.run(() =>
        checkDelivery({
          folder,
          isIgnored: (relativePath) => this.#isIgnored({ delivery, relativePath }),
          ...(this.#options.probe === undefined ? {} : { probe: this.#options.probe }),
          signal: this.#checkAbort.signal,
        }),
      );
      if (result.outcome === 'missing') {
        this.#forget(ref);
      } else if (result.outcome === 'unstable') {
        this.#options.logger?.debug(
          { delivery, file: result.file },
          'changed during the check; settling again',
        );
      } else if (result.outcome === 'incomplete') {
        const judged = this.#judgeIncomplete(ref, result, await this.#priorVerdict(ref, result));
        outcome = judged.outcome;
        recheckAt = judged.recheckAt;
      } else {
        const verdict = await this.#priorVerdict(ref, result);
        if (verdict !== undefined) {
          outcome = 'unchanged';
          this.emit('delivery:unchanged', { ...ref, status: verdict });
        } else {
          outcome = 'settled';
          this.#settled.set(delivery, result);
        }
      }
    } catch (error) {
      if (this.#state === 'running') this.#reportError(error, delivery);
    }
    if (outcome !== 'incomplete' && outcome !== 'settled') this.#incompleteSince.delete(delivery);
    const phase = this.#tracker.checked(delivery, performance.now(), outcome, recheckAt);
    if (phase === 'ready') {
      const settled = this.#settled.get(delivery);
      if (settled !== undefined) {
        this.emit('delivery:settled', { ...ref, files: settled.files, signature: settled.signature });
      }
    } else {
      this.#settled.delete(delivery);
      if (phase === 'waiting' && outcome !== 'unstable') {
        this.emit('delivery:settling', { ...ref, settleSeconds: this.#settleMs / 1000 });
      }
    }
    this.#startIngests();
    this.#schedule();
  }

  /** What was decided about this delivery with exactly this content before, if anything. */
  async #priorVerdict(
    ref: { delivery: string; folder: string },
    result: { files: IngestRequest['files']; signature: string },
  ): Promise<'done' | 'refused' | undefined> {
    return this.#options.priorVerdict?.({ ...ref, files: result.files, signature: result.signature });
  }

  /**
   * A quiet delivery that is not complete waits for a change, but not forever: once the same
   * content has been incomplete for `refuseIncompleteAfterSeconds` it is handed to the ingest, which
   * refuses it with a report and "Delivery Refused" (a copy that stopped for good, a damaged or
   * unreadable file, a link to something that is no media). A refusal that stands for this very
   * content (`verdict`) is not repeated.
   */
  #judgeIncomplete(
    ref: { delivery: string; folder: string },
    result: Extract<DeliveryCheck, { outcome: 'incomplete' }>,
    verdict: 'done' | 'refused' | undefined,
  ): { outcome: CheckOutcome; recheckAt?: number } {
    const now = performance.now();
    const known = this.#incompleteSince.get(ref.delivery);
    const since = known?.signature === result.signature ? known.since : now;
    this.#incompleteSince.set(ref.delivery, { signature: result.signature, since });
    if (verdict !== undefined) {
      this.emit('delivery:unchanged', { ...ref, status: verdict });
      return { outcome: 'unchanged' };
    }
    const bounded = result.files.length > 0 && Number.isFinite(this.#refuseIncompleteMs);
    if (bounded && now - since >= this.#refuseIncompleteMs) {
      this.#incompleteSince.delete(ref.delivery);
      this.#settled.set(ref.delivery, {
        outcome: 'settled',
        files: result.files,
        signature: result.signature,
      });
      this.emit('delivery:overdue', {
        ...ref,
        problems: result.problems,
        waitedSeconds: Math.round((now - since) / 1000),
      });
      return { outcome: 'settled' };
    }
    const recheckAt = bounded ? since + this.#refuseIncompleteMs : undefined;
    this.emit('delivery:incomplete', {
      ...ref,
      problems: result.problems,
      ...(recheckAt === undefined ? {} : { refuseInSeconds: Math.ceil((recheckAt - now) / 1000) }),
    });
    return { outcome: 'incomplete', ...(recheckAt === undefined ? {} : { recheckAt }) };
  }

  #startIngests(): void {
    if (this.#state !== 'running') return;
    for (const delivery of this.#tracker.takeReady()) {
      const settled = this.#settled.get(delivery);
      this.#settled.delete(delivery);
      if (settled === undefined) {
        this.#tracker.ingested(delivery, performance.now(), 'deferred');
        continue;
      }
      this.#running.add(delivery);
      this.#track(this.#ingest(delivery, settled));
    }
  }

  async #ingest(delivery: string, settled: Extract<DeliveryCheck, { outcome: 'settled' }>): Promise<void> {
    const folder = path.join(this.dropDir, delivery);
    const ref = { delivery, folder };
    try {
      const request = {
        ...ref,
        files: settled.files,
        signature: settled.signature,
        signal: this.#ingestAbort.signal,
      };
      const ingested = await ingestOnce(this.#options.ingest, request);
      // The ingest moves a finished delivery as the config says; a folder that left is forgotten.
      if (ingested.status === 'done' || ingested.status === 'refused') {
        if (!(await exists(folder))) this.#tracker.forget(delivery);
      }
      const phase = this.#tracker.ingested(delivery, performance.now(), ingested.status);
      this.#emitIngested(ref, ingested);
      if (phase === 'waiting')
        this.emit('delivery:settling', { ...ref, settleSeconds: this.#settleMs / 1000 });
    } finally {
      this.#running.delete(delivery);
    }
    this.#startIngests();
    this.#schedule();
  }

  #emitIngested(ref: { delivery: string; folder: string }, ingested: Ingested<R>): void {
    const movedTo = ingested.result?.movedTo ?? null;
    if (ingested.status === 'done')
      this.emit('delivery:ingested', { ...ref, result: ingested.result as R, movedTo });
    else if (ingested.status === 'refused')
      this.emit('delivery:refused', { ...ref, result: ingested.result as R, movedTo });
    else if (ingested.status === 'failed') {
      this.emit('delivery:failed', {
        ...ref,
        ...(ingested.error ? { error: ingested.error } : {}),
        ...(ingested.result ? { result: ingested.result } : {}),
        retryInSeconds: this.#retryMs / 1000,
      });
    }
  }

  #reportError(error: unknown, delivery?: string): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.#options.logger?.error({ err: failure, delivery }, 'watcher error');
    if (this.listenerCount('watcher:error') > 0)
      this.emit('watcher:error', { error: failure, ...(delivery === undefined ? {} : { delivery }) });
  }
}

interface Ingested<R extends IngestReport> {
  status: IngestOutcome;
  result?: R;
  error?: Error;
}

const STATUSES: ReadonlySet<string> = new Set(['done', 'refused', 'deferred', 'failed']);

/** Runs the ingest; a throw or a status the watcher does not know counts as `failed`. */
async function ingestOnce<R extends IngestReport>(
  ingest: (request: IngestRequest) => Promise<R>,
  request: IngestRequest,
): Promise<Ingested<R>> {
  let result: R;
  try {
    result = await ingest(request);
  } catch (error) {
    return { status: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
  }
  if (STATUSES.has(result.status)) return { status: result.status, result };
  const error = new Error(
    `ingest of ${request.folder} returned status ${JSON.stringify(result.status)}; expected done, refused, deferred or failed`,
  );
  return { status: 'failed', error, result };
}

async function exists(folder: string): Promise<boolean> {
  return stat(folder).then(
    () => true,
    () => false,
  );
}
