/**
 * The release as an operator installs it: `pnpm deploy --prod` of each program into a temp folder,
 * then the built programs run from there on plain `node`, with no dev dependency inside; the
 * Dockerfiles, systemd units and launchd plist shipped in deploy/ are checked against those folders.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeMedia } from '@exercise-pipeline/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { composeCommandArgs } from '../consumer/index.js';
import { generateBundle, SMALL_MEDIA } from '../fixtures/index.js';
import { type CliRun, runCliProcess, useTempDir } from '../harness/index.js';
import { parseDockerfile } from './dockerfile.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const temp = useTempDir('release');

interface Program {
  pkg: string;
  bin: string;
  dockerfile: string;
  unit: string;
  /** Where the unit file and the Dockerfile install the production folder. */
  installDir: string;
}

const CONSUMER: Program = {
  pkg: '@exercise-pipeline/render-consumer',
  bin: 'bin/exercise-consumer.js',
  dockerfile: 'deploy/container/Dockerfile',
  unit: 'deploy/systemd/exercise-consumer.service',
  installDir: '/opt/exercise-consumer',
};
const AGENT: Program = {
  pkg: '@exercise-pipeline/ingest-agent',
  bin: 'bin/exercise-agent.js',
  dockerfile: 'deploy/container/Dockerfile.agent',
  unit: 'deploy/systemd/exercise-agent.service',
  installDir: '/opt/exercise-agent',
};

/** Packages that must never reach a production folder. */
const DEV_ONLY =
  /^(tsx|typescript|vitest|@vitest\+|vite|@biomejs\+|esbuild|@types\+|@esbuild\+|rolldown)(@|\+|$)/;

/** Runs `node <script> …` the way a service manager does: its own cwd, a minimal environment. */
function runNode(
  script: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CliRun> {
  return runCliProcess(process.execPath, [script, ...args], {
    cwd,
    env: {
      PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: temp.path,
      LOG_LEVEL: 'warn',
      ...env,
    },
    label: `${path.basename(script)} ${args[0] ?? ''}`,
    timeoutMs: 120_000,
  });
}

function deployFolder(program: Program): string {
  return path.join(temp.path, program.pkg.split('/')[1] ?? 'program');
}

function versionOf(pkg: string): string {
  const dir = pkg.endsWith('render-consumer') ? 'render-consumer' : 'ingest-agent';
  return (JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as { version: string })
    .version;
}

beforeAll(async () => {
  for (const program of [CONSUMER, AGENT]) {
    const result = spawnSync('pnpm', ['--filter', program.pkg, 'deploy', '--prod', deployFolder(program)], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      throw new Error(`pnpm deploy of ${program.pkg} failed:\n${result.stdout}${result.stderr}`);
    }
  }
}, 180_000);

describe.each([
  ['render consumer', CONSUMER],
  ['ingest agent', AGENT],
])('the %s production folder', (_name, program) => {
  it('holds the built program and production dependencies only', () => {
    const dir = deployFolder(program);
    expect(existsSync(path.join(dir, program.bin))).toBe(true);
    expect(existsSync(path.join(dir, 'dist/cli.js'))).toBe(true);
    expect(existsSync(path.join(dir, 'src'))).toBe(false);
    expect(existsSync(path.join(dir, 'dist/.tsbuildinfo'))).toBe(false);
    const installed = readdirSync(path.join(dir, 'node_modules/.pnpm'));
    expect(installed.length).toBeGreaterThan(5);
    expect(installed.filter((name) => DEV_ONLY.test(name))).toEqual([]);
    const shared = path.join(dir, 'node_modules/@exercise-pipeline/shared');
    expect(existsSync(path.join(shared, 'dist/index.js'))).toBe(true);
    expect(existsSync(path.join(shared, 'src'))).toBe(false);
  });

  it('answers --help and --version on plain node from another folder', async () => {
    const dir = deployFolder(program);
    const elsewhere = path.join(temp.path, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    const help = await runNode(path.join(dir, program.bin), ['--help'], elsewhere);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: exercise-(agent|consumer) <command>/);
    const version = await runNode(path.join(dir, program.bin), ['--version'], elsewhere);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`${path.basename(program.bin, '.js')} ${versionOf(program.pkg)}\n`);
  });

  it('has a Dockerfile whose copies exist in the production folder and whose CMD runs from them', async () => {
    const docker = parseDockerfile(readFileSync(path.join(ROOT, program.dockerfile), 'utf8'));
    const [build, runtime] = docker.stages;
    expect(docker.stages).toHaveLength(2);
    for (const stage of docker.stages) expect(stage.from).toBe('node:24-slim');
    // The build stage copies sources from the repository.
    for (const copy of build?.copies ?? []) {
      for (const source of copy.sources) expect(existsSync(path.join(ROOT, source)), source).toBe(true);
    }
    // The runtime stage copies the production folder (`/out`) piece by piece: assemble those pieces
    // as the image would, then run the image's command from them.
    const image = path.join(temp.path, `image-${path.basename(program.dockerfile)}`);
    const workdir = runtime?.workdir ?? '/';
    expect(workdir).toBe(program.installDir);
    for (const copy of runtime?.copies ?? []) {
      expect(copy.from).toBe('build');
      for (const source of copy.sources) {
        const inFolder = path.join(deployFolder(program), path.relative('/out', source));
        expect(source.startsWith('/out/'), source).toBe(true);
        expect(existsSync(inFolder), `${program.dockerfile} copies ${source}`).toBe(true);
        cpSync(inFolder, path.join(image, workdir, copy.destination), {
          recursive: true,
          verbatimSymlinks: true,
        });
      }
    }
    expect(runtime?.user).toBe('node');
    expect(runtime?.stopSignal).toBe('SIGTERM');
    expect(runtime?.runs.join('\n')).toMatch(/apt-get install -y --no-install-recommends ffmpeg/);
    const [command, script, ...args] = runtime?.cmd ?? [];
    expect(command).toBe('node');
    expect(script).toBe(program.bin);
    expect(args[0]).toBe(program === CONSUMER ? 'run' : 'watch');
    const fromImage = await runNode(
      path.join(image, workdir, script ?? ''),
      ['--version'],
      path.join(image, workdir),
    );
    expect(fromImage.stderr).toBe('');
    expect(fromImage.stdout).toBe(`${path.basename(program.bin, '.js')} ${versionOf(program.pkg)}\n`);
    if (program === CONSUMER) {
      expect(runtime?.healthcheck).toMatch(/\/healthz/);
      expect(docker.exposes).toContain('9400');
    }
  });

  it('has a systemd unit that starts the folder’s bin under the hardening the README describes', () => {
    const unit = readFileSync(path.join(ROOT, program.unit), 'utf8');
    const key = (name: string) =>
      unit
        .split('\n')
        .filter((line) => line.startsWith(`${name}=`))
        .map((line) => line.slice(name.length + 1));
    expect(key('User')).toEqual(['exercise-pipeline']);
    expect(key('Wants')).toEqual(['network-online.target']);
    expect(key('After')).toContain('network-online.target');
    expect(key('EnvironmentFile')).toHaveLength(1);
    expect(key('Restart')).toEqual(['on-failure']);
    expect(key('RestartPreventExitStatus')).toEqual(['2']);
    expect(key('ProtectSystem')).toEqual(['strict']);
    expect(key('NoNewPrivileges')).toEqual(['yes']);
    expect(key('PrivateTmp')).toEqual(['yes']);
    const dataDir = key('Environment')
      .join(' ')
      .match(/DATA_DIR=(\S+)/)?.[1];
    expect(dataDir).toBeDefined();
    expect(key('ReadWritePaths').join(' ').split(' ')).toContain(dataDir);
    const [node, script] = (key('ExecStart')[0] ?? '').split(' ');
    expect(node).toBe('/usr/bin/node');
    expect(script).toBe(`${program.installDir}/${program.bin}`);
    expect(existsSync(path.join(deployFolder(program), program.bin))).toBe(true);
  });
});

describe('the deploy files', () => {
  const systemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

  it.skipIf(!systemdAnalyze)('pass systemd-analyze verify without a warning', () => {
    const units = [CONSUMER.unit, AGENT.unit].map((unit) => path.join(ROOT, unit));
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', ...units], { encoding: 'utf8' });
    // verify checks that ExecStart's binary exists: a host without /usr/bin/node reports only that.
    const warnings = result.stderr
      .split('\n')
      .filter((line) => line.trim() !== '')
      .filter((line) => existsSync('/usr/bin/node') || !line.includes('/usr/bin/node'));
    expect(warnings).toEqual([]);
    if (existsSync('/usr/bin/node')) expect(result.status).toBe(0);
  });

  it('ship a launchd plist that starts the agent’s bin', () => {
    const plist = readFileSync(path.join(ROOT, 'deploy/launchd/com.exercise-pipeline.agent.plist'), 'utf8');
    // XML comments may not contain a double hyphen: a plist with one does not load.
    for (const comment of plist.match(/<!--[\s\S]*?-->/g) ?? []) {
      expect(comment.slice(4, -3)).not.toContain('--');
    }
    const strings = [...plist.matchAll(/<string>([^<]*)<\/string>/g)].map((match) => match[1]);
    const program = strings.find((value) => value?.endsWith('/bin/exercise-agent.js'));
    expect(program).toBe('/Users/Shared/exercise-agent/app/bin/exercise-agent.js');
    expect(strings).toContain('watch');
    expect(plist).toContain('<key>KeepAlive</key>');
    const python = spawnSync('python3', [
      '-c',
      'import plistlib,sys,json; print(json.dumps(plistlib.load(open(sys.argv[1],"rb"))["ProgramArguments"]))',
      path.join(ROOT, 'deploy/launchd/com.exercise-pipeline.agent.plist'),
    ]);
    if (python.status !== null && python.error === undefined && python.status === 0) {
      expect(JSON.parse(python.stdout.toString())).toContain(program);
    }
  });

  it('are each referenced from the README’s deployment section', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const deployment = readme.slice(readme.indexOf('## Deployment'), readme.indexOf('## Troubleshooting'));
    for (const file of readdirSync(path.join(ROOT, 'deploy'), { recursive: true, withFileTypes: true })) {
      if (!file.isFile()) continue;
      const relative = path.relative(ROOT, path.join(file.parentPath, file.name));
      expect(deployment, relative).toContain(relative);
    }
  });
});

describe('a real compose from the production folders', () => {
  it('renders a generated bundle with the consumer and validates it with the agent', async () => {
    const bundle = await generateBundle(path.join(temp.path, 'bundle'), {
      ...SMALL_MEDIA,
      cacheDir: path.join(temp.path, 'media-cache'),
    });
    const out = path.join(temp.path, 'renders', 'preview.mp4');
    const env = { DATA_DIR: path.join(temp.path, 'consumer-data') };
    const composed = await runNode(
      path.join(deployFolder(CONSUMER), CONSUMER.bin),
      composeCommandArgs(bundle.dir, out),
      temp.path,
      env,
    );
    expect(composed.code, composed.stderr).toBe(0);
    expect(JSON.parse(composed.stdout)).toMatchObject({ durationSeconds: 9, path: out, mode: 'copy' });
    const probe = await probeMedia(out);
    expect(probe.durationSeconds).toBeCloseTo(9, 1);

    const validated = await runNode(
      path.join(deployFolder(AGENT), AGENT.bin),
      ['validate', bundle.dir, '--json'],
      temp.path,
    );
    expect(validated.code, validated.stderr).toBe(0);
    expect(JSON.parse(validated.stdout)).toMatchObject({ ok: true });
  });
});
