import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * True when the module at `importMetaUrl` is the script Node was started with, so a CLI module runs
 * itself under `tsx src/cli.ts …` yet does nothing when the `bin` shim or a test imports it. Both
 * sides go through realpath because pnpm's node_modules reach the same file through symlinks.
 */
export function isEntryPoint(importMetaUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(importMetaUrl));
  } catch {
    return false;
  }
}
