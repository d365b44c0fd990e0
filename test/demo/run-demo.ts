/**
 * `pnpm demo`: the whole pipeline on one machine, without AWS or Bunny accounts. Starts moto_server
 * on loopback, creates the topology from infra/definitions (as `pnpm infra:local` does), starts the
 * render consumer (embedded PGlite, local publisher) and the ingest agent watching ./drop, drops a
 * sample delivery in the filming team's naming into ./drop, and prints the status page URL.
 * Ctrl-C stops every process it started.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureLocalTopology } from '@exercise-pipeline/infra';
import { createEventBridgeClient, createS3Client, createSqsClient } from '@exercise-pipeline/shared';
import { generateDelivery } from '../fixtures/index.js';
import { freePort, startMotoServer, TEST_AWS_ENV } from '../harness/moto-server.js';
import { type DemoChild, startChild, stopChildren } from './children.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built programs, started the way the README's production section starts them. */
const CONSUMER_BIN = path.join(ROOT, 'render-consumer/bin/exercise-consumer.js');
const AGENT_BIN = path.join(ROOT, 'ingest-agent/bin/exercise-agent.js');
const BUILT = [path.join(ROOT, 'render-consumer/dist/cli.js'), path.join(ROOT, 'ingest-agent/dist/cli.js')];
const BUCKET = 'exercise-assets';
const STOP_GRACE_MS = 15_000;

const USAGE = `usage: pnpm demo [--dir <folder>] [--port <n>]

  --dir   where ./drop and ./.data/demo live (default: the current folder)
  --port  the consumer's HTTP port (default 9400, or a free one when 9400 is taken)
`;

function say(line: string): void {
  process.stderr.write(`[demo] ${line}\n`);
}

async function isPortFree(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
    return false;
  } catch {
    return true;
  }
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  abortIf: () => string | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const stopped = abortIf();
    if (stopped) throw new Error(`${what}: ${stopped}`);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
}

interface StatusSnapshot {
  renders?: { exercise: string; status: string; language: string }[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const started = Date.now();
  const workDir = path.resolve(values.dir ?? process.cwd());
  const dropDir = path.join(workDir, 'drop');
  const dataDir = path.join(workDir, '.data', 'demo');
  const port = values.port ? Number(values.port) : (await isPortFree(9400)) ? 9400 : await freePort();
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    process.stderr.write(`--port must be a TCP port 1-65535, got ${JSON.stringify(values.port)}\n`);
    return 2;
  }
  if (!BUILT.every((file) => existsSync(file))) {
    process.stderr.write(
      'the programs are not built: run `bash test/demo.sh` (it installs what is missing and builds), or `pnpm build`\n',
    );
    return 1;
  }

  // The emulator starts empty, so yesterday's catalog and journal would describe a bucket that is gone.
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dropDir, { recursive: true });

  const children: DemoChild[] = [];
  let stopping = false;
  const moto = await startMotoServer('demo');
  const shutdown = async (code: number): Promise<number> => {
    if (stopping) return code;
    stopping = true;
    say('stopping every process the demo started…');
    await stopChildren([...children].reverse(), STOP_GRACE_MS);
    await moto.stop();
    say('stopped');
    return code;
  };

  try {
    say(`moto_server on ${moto.endpoint}`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...TEST_AWS_ENV,
      AWS_ENDPOINT_URL: moto.endpoint,
      ASSETS_BUCKET: BUCKET,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    };
    delete env.AWS_PROFILE;
    const aws = { endpoint: moto.endpoint, region: TEST_AWS_ENV.AWS_REGION };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    const clients = {
      s3: createS3Client(aws),
      sqs: createSqsClient(aws),
      events: createEventBridgeClient(aws),
    };
    const topology = await ensureLocalTopology(clients, { bucket: BUCKET });
    for (const client of Object.values(clients)) client.destroy();
    say(`topology ready: bucket ${BUCKET}, queue ${topology.queueUrl}`);

    const exitedEarly = (child: DemoChild) => () =>
      child.process.exitCode !== null || child.process.signalCode !== null
        ? `${child.name} exited (${child.process.exitCode ?? child.process.signalCode}); see its lines above`
        : undefined;

    const consumer = startChild('consumer', process.execPath, [CONSUMER_BIN, 'run'], {
      ...env,
      RENDER_QUEUE_URL: topology.queueUrl,
      RENDER_DLQ_URL: topology.dlqUrl,
      DATA_DIR: path.join(dataDir, 'consumer'),
      COMPOSER_PORT: String(port),
      PUBLISH_TARGET: 'local',
      SETTLE_SECONDS: '2',
    });
    children.push(consumer);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      'the render consumer did not answer /healthz',
      60_000,
      async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined),
      exitedEarly(consumer),
    );

    const agent = startChild(
      'agent',
      process.execPath,
      [AGENT_BIN, 'watch', dropDir, '--config', path.join(ROOT, 'test/demo/agent.demo.json')],
      // The agent adds "Preview ready: <link>" to the delivery's report when the preview plays.
      { ...env, DATA_DIR: path.join(dataDir, 'agent'), AGENT_NOTICES_QUEUE_URL: topology.noticesQueueUrl },
    );
    children.push(agent);

    // Which processes the demo runs, for anyone (or any test) checking that Ctrl-C left none behind.
    await writeFile(
      path.join(dataDir, 'pids.json'),
      `${JSON.stringify({ demo: process.pid, moto: moto.pid, consumer: consumer.process.pid, agent: agent.process.pid })}\n`,
    );

    const delivery = await generateDelivery(dropDir, {
      overwrite: true,
      cacheDir: path.join(workDir, '.data', 'sample-cache'),
    });
    say(`sample delivery written: ${path.relative(workDir, delivery.dir)} (${delivery.files.length} files)`);
    say(`status page: ${base}/`);
    process.stdout.write(`${base}/\n`);

    const signalled = new Promise<number>((resolve) => {
      process.once('SIGINT', () => resolve(0));
      process.once('SIGTERM', () => resolve(0));
    });
    const ready = waitFor(
      'the catalog preview did not become ready',
      120_000,
      async () => {
        const status = (await (await fetch(`${base}/api/status`)).json()) as StatusSnapshot;
        return status.renders?.find((render) => render.status === 'ready');
      },
      () => exitedEarly(consumer)() ?? exitedEarly(agent)(),
    ).then(
      (render) => {
        say(
          `catalog preview of ${render.exercise} (${render.language}) ready after ${((Date.now() - started) / 1000).toFixed(1)} s — play it on ${base}/`,
        );
        say('drop more folders into ./drop, or press Ctrl-C to stop');
      },
      (error: Error) => say(error.message),
    );
    const childDied = Promise.race(children.map((child) => child.exited.then(() => child)));
    const outcome = await Promise.race([signalled, childDied.then((child) => child)]);
    void ready;
    if (typeof outcome !== 'number') {
      say(`${outcome.name} stopped unexpectedly; shutting the demo down`);
      return shutdown(1);
    }
    return shutdown(outcome);
  } catch (error) {
    say((error as Error).message);
    return shutdown(1);
  }
}

process.exitCode = await main();
