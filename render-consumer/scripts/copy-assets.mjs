// Part of `pnpm build`: tsc emits only JavaScript, so the files the consumer reads at run time
// beside its modules — the catalog's SQL migrations and the status page — are copied from src/ to
// the same places under dist/. Stale copies of removed files are cleared first.
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ASSET_DIRS = ['catalog/migrations', 'http/status-page'];

for (const dir of ASSET_DIRS) {
  const from = fileURLToPath(new URL(`../src/${dir}/`, import.meta.url));
  const to = fileURLToPath(new URL(`../dist/${dir}/`, import.meta.url));
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}
