/**
 * `consumer run` as operators start it: a listener reachable from other machines needs a token, which
 * then guards every route but the health checks; the banner names the address really bound; a port
 * in use or an unreachable database is one line naming the variable (never a stack trace, never the
 * password); temp renders a killed consumer left behind are removed at the next start.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, trackResource } from '../harness/index.js';
import { serviceConfig, usePipeline } from './consumer-helpers.js';
import { startConsumerRun } from './consumer-run-child.js';
import { runConsumerCli } from './ops-cli.js';

const world = usePipeline('consumer-startup');
const TOKEN = 'a-long-random-token-for-tests';

function runEnv(dataDir: string): Record<string, string> {
  return world.consumerEnv(dataDir, { QUEUE_WAIT_SECONDS: '1', SHUTDOWN_DEADLINE_SECONDS: '2' });
}

/** The lines a failed start printed; a stack trace would add `    at …` lines. */
function linesOf(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '');
}

describe('consumer run refuses unsafe or impossible starts with one line', () => {
  it('refuses a non-loopback COMPOSER_HOST without COMPOSER_API_TOKEN (exit 2)', async () => {
    const run = await runConsumerCli(['run'], {
      ...runEnv(path.join(world.root, 'refused')),
      COMPOSER_HOST: '0.0.0.0',
    });
    expect(run.code).toBe(2);
    const lines = linesOf(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^COMPOSER_API_TOKEN must be set when COMPOSER_HOST=0\.0\.0\.0/);
  });

  it('names COMPOSER_PORT and the port when the port is taken (exit 1)', async () => {
    const port = await freePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    const tracked = trackResource(
      'server',
      `port holder ${port}`,
      () => new Promise<void>((r) => holder.close(() => r())),
    );
    try {
      const run = await runConsumerCli(['run'], {
        ...runEnv(path.join(world.root, 'port-taken')),
        COMPOSER_PORT: String(port),
      });
      expect(run.code).toBe(1);
      const lines = linesOf(run.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`cannot listen on 127.0.0.1:${port}`);
      expect(lines[0]).toContain(`port ${port} is already in use; set COMPOSER_PORT`);
    } finally {
      await tracked.close();
    }
  });

  it('names DATABASE_URL without its password when the database does not answer (exit 1)', async () => {
    const port = await freePort();
    const run = await runConsumerCli(['run'], {
      ...runEnv(path.join(world.root, 'db-down')),
      DATABASE_URL: `postgres://catalog:s3cret-pw@127.0.0.1:${port}/catalog`,
    });
    expect(run.code).toBe(1);
    const lines = linesOf(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`DATABASE_URL=postgres://catalog:***@127.0.0.1:${port}/catalog`);
    expect(lines[0]).toContain('ECONNREFUSED');
    expect(run.stderr).not.toContain('s3cret-pw');
  });
});

describe('consumer run on all interfaces with a token', () => {
  it('prints the bound address, guards every data route, and removes temp renders left behind', async () => {
    const dataDir = path.join(world.root, 'guarded');
    const scratch = path.join(dataDir, 'tmp', 'renders');
    await mkdir(path.join(scratch, '.compose-killed'), { recursive: true });
    await writeFile(path.join(scratch, '41-0f3c.mp4'), 'half a render');
    await writeFile(path.join(scratch, '.compose-killed', 'render.mp4'), 'half a render');
    const port = await freePort();
    const consumer = await startConsumerRun({
      ...runEnv(dataDir),
      COMPOSER_HOST: '0.0.0.0',
      COMPOSER_PORT: String(port),
      COMPOSER_API_TOKEN: TOKEN,
    });
    try {
      expect(consumer.stderr()).toContain(`render consumer listening on http://0.0.0.0:${port}`);
      expect(await readdir(scratch)).toEqual([]);

      const base = `http://127.0.0.1:${port}`;
      const bearer = { authorization: `Bearer ${TOKEN}` };
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      for (const route of ['/api/status', '/metrics', '/media/x/playlist.m3u8']) {
        const anonymous = await fetch(`${base}${route}`);
        expect(anonymous.status, route).toBe(401);
        expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
        const wrong = await fetch(`${base}${route}`, { headers: { authorization: 'Bearer guess' } });
        expect(wrong.status, route).toBe(401);
      }
      expect((await fetch(`${base}/api/status`, { headers: bearer })).status).toBe(200);
      expect((await fetch(`${base}/metrics`, { headers: bearer })).status).toBe(200);
      const compose = await fetch(`${base}/v1/compose`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(compose.status).toBe(401);
      // The page's shell carries no data; it asks for the token and sends it with every request.
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      const script = await (await fetch(`${base}/assets/status.js`)).text();
      expect(script).toContain('sessionStorage');
    } finally {
      await consumer.stop();
    }
    expect(await consumer.exited).toBe(0);
    expect(consumer.stderr()).not.toContain(TOKEN);
  }, 120_000);

  it('leaves /metrics open with METRICS_REQUIRE_TOKEN=false, and nothing else (PostgreSQL catalog)', async () => {
    const config = {
      ...serviceConfig(world.pipeline, {
        databaseUrl: world.databaseUrl,
        dataDir: path.join(world.root, 'metrics-open'),
      }),
      composerApiToken: TOKEN,
      metricsRequireToken: false,
    };
    const service = await world.startService({ dataDir: config.dataDir }, { config });
    try {
      expect((await fetch(`${service.url}/metrics`)).status).toBe(200);
      expect((await fetch(`${service.url}/api/status`)).status).toBe(401);
      expect(service.db.kind).toBe('postgres');
    } finally {
      await service.stop();
    }
  });
});
