import { parseArgs } from 'node:util';

export const WATCH_USAGE = `usage: exercise-agent watch <drop-dir> [--config F] [--poll] [--prune] [--engine builtin|chokidar]

Watches the drop folder and ingests every delivery folder in it once it is complete: nothing in
it changed for settleSeconds and every video and voice-over reads completely. Ingested folders
move to <drop-dir>/processed/ (config "onSuccess"); refused ones stay with a _REPORT.txt (or move
to rejected/, "onRefusal") and are judged again only after something in them (or the config)
changes: the ingest journal in DATA_DIR says what was judged, also across restarts.
  --config F   agent config file: settleSeconds, pollIntervalSeconds, junk, onSuccess, onRefusal, rules
  --poll       poll every pollIntervalSeconds instead of waiting for change events; needed on
               SMB/NFS shares, where change events do not arrive
  --prune      each ingest also deletes objects under the exercise's prefix that its delivery no
               longer has (without it nothing in the bucket is ever deleted; needs s3:DeleteObject)
  --engine E   builtin (default: one watch per folder, or a tree walk when polling) or chokidar
               (one watch or poll timer per file; needs much more memory on large drop folders)
The drop folder may go away and come back (a remount): the agent waits for it and carries on.
Its state (watching or not, last scan, deliveries) is in DATA_DIR/watch/status.json and in a
"watcher heartbeat" log line every heartbeatSeconds.
Environment: ASSETS_BUCKET, EVENT_BUS_NAME, DATA_DIR, AWS_ENDPOINT_URL, AWS_REGION, LOG_LEVEL,
AWS_CONNECT_TIMEOUT_SECONDS, AWS_REQUEST_TIMEOUT_SECONDS.
Stops on SIGINT/SIGTERM after running ingests finish (30 s at most); a second signal stops at once.
Exit: 0 stopped, 2 bad arguments, 1 failure.
`;

export interface WatchArgs {
  dropDir?: string;
  config?: string;
  poll: boolean;
  prune: boolean;
  engine: 'builtin' | 'chokidar';
  help: boolean;
}

export type ParsedWatchArgs = { ok: true; args: WatchArgs } | { ok: false; problem: string };

/** Reads `<drop-dir> [--config F] [--poll] [--prune] [--engine E]`, refusing anything else. */
export function parseWatchArgs(argv: readonly string[]): ParsedWatchArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    return {
      ok: false,
      problem: `expected one drop folder, got ${positionals.length}: ${positionals.map((p) => JSON.stringify(p)).join(' ')}; quote a name with spaces`,
    };
  }
  const engine = values.engine ?? 'builtin';
  if (engine !== 'builtin' && engine !== 'chokidar') {
    return { ok: false, problem: `--engine expects builtin or chokidar, got ${JSON.stringify(engine)}` };
  }
  return {
    ok: true,
    args: {
      ...(positionals[0] === undefined ? {} : { dropDir: positionals[0] }),
      ...(values.config === undefined ? {} : { config: values.config }),
      poll: values.poll === true,
      prune: values.prune === true,
      engine,
      help: values.help === true,
    },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string' },
      poll: { type: 'boolean', default: false },
      prune: { type: 'boolean', default: false },
      engine: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
