import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statusFileIn } from '@exercise-pipeline/ingest-agent/watch';
import { generateDelivery } from '../fixtures/index.js';
import { listKeys, useAgentWorld } from './agent-helpers.js';
import { sleep, startWatchDaemon, waitUntil } from './agent-watch-helpers.js';

const world = useAgentWorld('agent-watch-remount');

const GONE =
  'the drop folder is gone or unreadable; waiting for it to come back (nothing is ingested meanwhile)';
const BACK = 'the drop folder is back; watching it again';

async function readStatus(dataDir: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(statusFileIn(dataDir), 'utf8'));
  } catch {
    return null;
  }
}

describe('watch: the drop folder goes away and comes back (a remount)', () => {
  it.each([
    ['native', [], 'native', '500 Rotatii Trunchi', 'rotatii-trunchi'],
    ['--poll', ['--poll'], 'scan-poll', '501 Ridicari Laterale', 'ridicari-laterale'],
  ] as const)(
    '%s: reports the loss once, without a stack, watches the new folder and ingests what is dropped there',
    async (label, args, mode, folderName, slug) => {
      const base = join(world.root, `remount-${label.replace(/\W/g, '')}`);
      const drop = join(base, 'drop');
      const dataDir = join(base, 'data');
      await mkdir(drop, { recursive: true });
      const delivery = await generateDelivery(join(base, 'outside'), {
        folderName,
        cacheDir: world.cacheDir,
      });

      const daemon = await startWatchDaemon({
        drop,
        root: base,
        env: world.env({ DATA_DIR: dataDir }),
        args: [...args],
        config: {
          settleSeconds: 0.5,
          rescanSeconds: 1,
          pollIntervalSeconds: 0.5,
          heartbeatSeconds: 1,
        },
      });
      await waitUntil('the watcher to start', () => daemon.watcher() !== undefined);
      await waitUntil('a heartbeat', () => daemon.logs().some((line) => line.msg === 'watcher heartbeat'));
      expect(await readStatus(dataDir)).toMatchObject({ mode, watching: true, dropDirAvailable: true });

      // The share goes away: the path is gone (an unmount looks the same to the agent).
      await rename(drop, `${drop}.unmounted`);
      await waitUntil('the loss to be reported', () => daemon.logs().some((line) => line.msg === GONE));
      await waitUntil('the status to say so', async () => (await readStatus(dataDir))?.watching === false);
      const lost = await readStatus(dataDir);
      expect(lost).toMatchObject({ watching: false, dropDirAvailable: false });
      expect(String(lost?.problem)).toContain('ENOENT');
      // Several scans later it is still one line.
      await sleep(4_000);

      // It comes back as a different, empty folder (a remount), and a delivery is dropped into it.
      await mkdir(drop);
      await waitUntil('the return to be reported', () => daemon.logs().some((line) => line.msg === BACK));
      await rename(delivery.dir, join(drop, folderName));
      await waitUntil(
        'the delivery to be ingested',
        () => daemon.logs().some((line) => line.msg === 'ingest done' && line.delivery === folderName),
        120_000,
      );
      expect(await listKeys(world.clients.s3, world.bucket, `${slug}/`)).toHaveLength(11);
      expect((await stat(join(drop, 'processed', folderName, '_REPORT.txt'))).isFile()).toBe(true);

      await waitUntil('a heartbeat after the return', () =>
        daemon
          .logs()
          .some(
            (line) => line.msg === 'watcher heartbeat' && line.watching === true && line.lastScanAt !== null,
          ),
      );
      const status = await readStatus(dataDir);
      expect(status).toMatchObject({ mode, watching: true, dropDirAvailable: true });
      expect(Date.parse(String(status?.lastScanAt))).toBeGreaterThan(Date.now() - 60_000);

      const logs = daemon.logs();
      expect(logs.filter((line) => line.msg === GONE)).toHaveLength(1);
      expect(logs.filter((line) => line.msg === BACK)).toHaveLength(1);
      // One line each, and no stack trace anywhere in the daemon's output.
      expect(daemon.stderr()).not.toContain('"stack"');
      expect(logs.filter((line) => line.level >= 50)).toEqual([]);
      expect(await daemon.stop()).toBe(0);
    },
    180_000,
  );
});
