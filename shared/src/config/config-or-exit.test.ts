import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir } from '@exercise-pipeline/test/harness';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const temp = useTempDir('config-or-exit');
let script: string;
beforeAll(() => {
  script = join(temp.path, 'start.ts');
  writeFileSync(
    script,
    [
      `import { configOrExit } from ${JSON.stringify(join(import.meta.dirname, 'index.ts'))};`,
      `const config = configOrExit(process.env, ['assetsBucket']);`,
      'console.log(JSON.stringify({ port: config.composerPort, bucket: config.assetsBucket }));',
    ].join('\n'),
  );
});

function start(env: Record<string, string>) {
  const { PATH, HOME } = process.env;
  return spawnSync(TSX, [script], { env: { PATH, HOME, ...env }, encoding: 'utf8', timeout: 30_000 });
}

describe('configOrExit', () => {
  it('prints exactly one line to stderr and exits 1 on a bad value', () => {
    const result = start({ ASSETS_BUCKET: 'exercise-assets', COMPOSER_PORT: 'abc' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('COMPOSER_PORT must be a TCP port 1-65535, got "abc"\n');
    expect(result.stdout).toBe('');
  });

  it('exits 1 with one line when a required setting is missing', () => {
    const result = start({});
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'ASSETS_BUCKET is required by this program: set it to an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens), e.g. exercise-assets\n',
    );
  });

  it('hands the validated config to the program when everything is fine', () => {
    const result = start({ ASSETS_BUCKET: 'exercise-assets', COMPOSER_PORT: '9500' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ port: 9500, bucket: 'exercise-assets' });
  });
});
