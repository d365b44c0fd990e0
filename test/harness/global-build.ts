/**
 * Vitest global set-up: bring the built programs up to date before any test starts one. Tests that
 * run `exercise-agent`, `exercise-consumer` or `infra:local` as processes run the built JavaScript
 * under `dist/`, exactly as the README tells users to; `tsc -b` is incremental, so when nothing
 * changed since the last build this costs a second or two.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export default function buildOnce(): void {
  if (process.env.PIPELINE_SKIP_BUILD === '1') return;
  const result = spawnSync('pnpm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `pnpm build failed before the tests (exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`,
    );
  }
}
