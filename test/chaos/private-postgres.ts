/**
 * A PostgreSQL server of the campaign's own, in a temp folder on a free port, so a fault can stop and
 * restart it without touching the machine's server (or any other test's database). Uses the
 * machine's PostgreSQL binaries (`pg_config --bindir`, or PG_BIN_DIR); as root, the server runs as
 * the `postgres` user, since PostgreSQL refuses to run as root.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../harness/index.js';

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication). */
  url: string;
  /** Stops the server abruptly (`immediate`, like a crash) and starts it again after `downMs`. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

function binDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const candidate = fromConfig.status === 0 ? fromConfig.stdout.trim() : '';
  if (candidate !== '' && existsSync(path.join(candidate, 'initdb'))) return candidate;
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries not found: install postgresql, or set PG_BIN_DIR to the folder of initdb',
  );
}

/**
 * Starts the server in a folder of its own under the OS temp dir (the `postgres` user must be able
 * to reach it, which a test's private temp folder does not allow); `stop()` removes it.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const root = mkdtempSync(path.join(tmpdir(), 'exercise-chaos-pg-'));
  const port = await freePort();
  const data = path.join(root, 'pgdata');
  const sockets = path.join(root, 'pgsock');
  const log = path.join(root, 'postgres.log');
  mkdirSync(sockets, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    for (const dir of [root, sockets]) chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const [command, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]]
      : [path.join(bin, tool), args];
    const result = spawnSync(command as string, argv as string[], { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) {
      throw new Error(
        `${tool} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`,
      );
    }
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -k ${sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = () => run('pg_ctl', ['-D', data, '-o', options, '-l', log, '-w', '-t', '60', 'start']);
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  start();
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart(downMs) {
      stop();
      running = false;
      await new Promise((resolve) => setTimeout(resolve, downMs));
      start();
      running = true;
    },
    async stop() {
      if (running) stop();
      running = false;
      rmSync(root, { recursive: true, force: true });
    },
  };
}
