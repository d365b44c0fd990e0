import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, trackResource, useTempDir } from '../harness/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const temp = useTempDir('demo');

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface StatusRender {
  id: number;
  exercise: string;
  status: string;
  playback_url: string | null;
}

/**
 * Stops the demo as a user would (Ctrl-C: it stops moto, the consumer and the agent, which run in
 * process groups of their own), and kills it only when it does not exit in time. A bare SIGKILL
 * would leave its children running.
 */
async function stopDemo(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

let demo: ChildProcess | undefined;
afterEach(async () => {
  if (demo) await stopDemo(demo);
});

describe('pnpm demo', () => {
  it('shows a playable catalog preview within 60 s and leaves nothing running after Ctrl-C', async () => {
    const port = await freePort();
    const started = Date.now();
    // What `pnpm demo` runs (see package.json), without pnpm in between.
    demo = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/demo/run-demo.ts', '--dir', temp.path, '--port', String(port)],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LOG_LEVEL: 'warn' },
      },
    );
    const child = demo;
    const tracked = trackResource('process', 'pnpm demo', () => stopDemo(child));
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });

    const base = `http://127.0.0.1:${port}`;
    let ready: StatusRender | undefined;
    while (!ready && Date.now() - started < 60_000) {
      expect(child.exitCode, `the demo exited early:\n${output}`).toBeNull();
      ready = await fetch(`${base}/api/status`)
        .then((response) => response.json() as Promise<{ renders: StatusRender[] }>)
        .then((status) => status.renders.find((render) => render.status === 'ready'))
        .catch(() => undefined);
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(ready, `no ready preview within 60 s:\n${output.slice(-3000)}`).toMatchObject({
      exercise: 'detensionari-lombare',
    });
    expect(output).toContain(`${base}/`);
    // The page and the preview's HLS playlist are served.
    expect(await (await fetch(`${base}/`)).text()).toContain('<video');
    const playlist = await fetch(new URL(ready!.playback_url!, base));
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toContain('#EXT-X-ENDLIST');
    // The preview comes back to the team: its report gains the status page's link to this render
    // within 30 s of the render being ready (the consumer's "Render Ready" → notices queue → agent).
    const report = path.join(temp.path, 'drop', 'processed', '001 Detensionari Lombare', '_REPORT.txt');
    const line = `Preview ready: ${base}/#render=${ready!.id}`;
    const readyAt = Date.now();
    let reportText = '';
    while (!reportText.includes(line) && Date.now() - readyAt < 30_000) {
      reportText = await readFile(report, 'utf8').catch(() => '');
      if (!reportText.includes(line)) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(reportText.split('\n'), output.slice(-3000)).toContain(line);

    const pids = JSON.parse(await readFile(path.join(temp.path, '.data/demo/pids.json'), 'utf8')) as Record<
      string,
      number
    >;
    expect(Object.keys(pids).sort()).toEqual(['agent', 'consumer', 'demo', 'moto']);
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, output.slice(-2000)).toBe(0);
    for (const [name, pid] of Object.entries(pids))
      expect(isRunning(pid), `${name} (pid ${pid}) still running`).toBe(false);
    await tracked.close();
  }, 120_000);
});
