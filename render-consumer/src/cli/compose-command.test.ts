import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeMedia, recipeHash } from '@exercise-pipeline/shared';
import { composeCommandArgs, createTempRoot, type TempRoot } from '@exercise-pipeline/test/consumer';
import type { GeneratedBundle } from '@exercise-pipeline/test/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(fileURLToPath(import.meta.url), '../../../..');
/** The built program, as users start it (the vitest global set-up builds it). */
const cli = path.join(repoRoot, 'render-consumer/bin/exercise-consumer.js');

let root: TempRoot;
let bundle: GeneratedBundle;

beforeAll(async () => {
  root = await createTempRoot('compose-cli-test-');
  bundle = await root.bundle('bundle');
}, 120_000);

afterAll(async () => {
  await root?.remove();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...env, DATA_DIR: path.join(root.dir, 'data'), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const consumer = (...args: string[]) => run(process.execPath, [cli, ...args]);

describe('consumer compose', () => {
  it('renders a local bundle and prints one JSON document', async () => {
    const out = path.join(root.dir, 'renders', 'cli.mp4');
    const result = await consumer(...composeCommandArgs(bundle.dir, out));
    expect(result.stderr).toContain('"msg":"composed"');
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    const expectedHash = recipeHash({
      exercise: 'detensionari-lombare',
      language: 'ro',
      sets: [
        { side: 'left', reps: 5 },
        { side: 'right', reps: 10 },
      ],
      seed: 5,
    });
    expect(document).toMatchObject({ durationSeconds: 9, recipeHash: expectedHash, path: out, mode: 'copy' });
    expect(Object.keys(document)).toEqual(['durationSeconds', 'recipeHash', 'path', 'mode', 'segments']);
    expect(document.segments.map((s: { slot: string }) => s.slot)).toEqual([
      'intro',
      'rep-left',
      'pauza',
      'rep-right',
      'outro',
    ]);
    expect((await probeMedia(out)).durationSeconds).toBeCloseTo(9, 1);
  });

  it('writes to $DATA_DIR/renders without --out', async () => {
    const result = await consumer(
      'compose',
      '--bundle',
      bundle.dir,
      '--language',
      'ro',
      '--sets',
      'left:5',
      '--seed',
      '1',
    );
    expect(result.code).toBe(0);
    const expected = path.join(root.dir, 'data', 'renders', 'detensionari-lombare-ro-left5-seed1.mp4');
    expect(result.stdout).toBe(
      `${expected} (5.000 s, copy, recipe ${result.stdout.match(/recipe (\w+)/)?.[1]})\n`,
    );
    expect(existsSync(expected)).toBe(true);
  });

  it('refuses an invalid recipe with exit 2 and every reason', async () => {
    const result = await consumer(
      'compose',
      '--bundle',
      bundle.dir,
      '--language',
      'xx',
      '--sets',
      'left:7,up:5,left',
      '--seed',
      'abc',
      '--json',
    );
    expect(result.code).toBe(2);
    const { error } = JSON.parse(result.stdout);
    expect(error.code).toBe('INPUT_REFUSED');
    expect(error.reasons.map((r: { field: string }) => r.field).sort()).toEqual([
      'language',
      'seed',
      'sets.0.reps',
      'sets.1.side',
      'sets.2',
    ]);
    expect(result.stderr).toContain('sets.0.reps: 7 is not a multiple of reps_per_video_block (5)');
  });

  it('fails with exit 1 naming a damaged variant', async () => {
    const dir = path.join(root.dir, 'damaged');
    await cp(bundle.dir, dir, { recursive: true });
    await writeFile(path.join(dir, 'rep-left-video-1.mp4'), 'not an mp4 at all');
    const result = await consumer(
      'compose',
      '--bundle',
      dir,
      '--language',
      'ro',
      '--sets',
      'left:5',
      '--seed',
      '1',
      '--json',
    );
    expect(result.code).toBe(1);
    const { error } = JSON.parse(result.stdout);
    // Text where a video belongs is not damage but another kind of file: refused for good.
    expect(error.code).toBe('MEDIA_CONTAINER_REFUSED');
    expect(error.message).toContain(`${path.join(dir, 'rep-left-video-1.mp4')} is a text file`);
    expect(result.stderr).toContain(`compose failed: ${path.join(dir, 'rep-left-video-1.mp4')}`);
  });

  it('fails with exit 1 naming ASSETS_BUCKET for --exercise when the bucket is not configured', async () => {
    const { ASSETS_BUCKET: _unset, ...env } = process.env;
    const result = await run(
      process.execPath,
      [
        cli,
        'compose',
        '--exercise',
        'squat',
        '--language',
        'ro',
        '--sets',
        'left:5',
        '--seed',
        '1',
        '--json',
      ],
      env,
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.message).toContain('ASSETS_BUCKET is required');
    expect(result.stderr).toContain('compose failed: ASSETS_BUCKET is required');
  });

  it('answers an unknown command with the usage and exit 2, and prints the compose help', async () => {
    const unknown = await consumer('bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "bogus"[\s\S]*compose/);
    const help = await consumer('compose', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--sets <side:reps,...>');
  });
});
