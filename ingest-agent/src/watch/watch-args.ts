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

export const WATCH_ENGINES = ['builtin', 'chokidar'] as const;

/** The flags of `exercise-agent watch`. */
export const WATCH_FLAGS = {
  config: { type: 'string', value: 'F' },
  poll: { type: 'boolean' },
  prune: { type: 'boolean' },
  engine: { type: 'string', value: 'E', choices: WATCH_ENGINES },
} as const;

/** `--engine` as given, else the default: one watch per folder (or a tree walk when polling). */
export function watchEngine(engine: string | undefined): (typeof WATCH_ENGINES)[number] {
  return engine === 'chokidar' ? 'chokidar' : 'builtin';
}
