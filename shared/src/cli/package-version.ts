import { readFileSync } from 'node:fs';

/**
 * The `version` of the package.json at `packageJsonUrl` (a program passes
 * `new URL('../package.json', import.meta.url)` from its top-level module, which sits one folder
 * below the package root both as `src/cli.ts` and as the built `dist/cli.js`). Read from disk at
 * call time rather than imported, so the built code needs no JSON import outside its `dist/`.
 * A missing or unreadable file gives `unknown` rather than failing the command that asked.
 */
export function packageVersion(packageJsonUrl: URL): string {
  try {
    const parsed = JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as { version?: unknown };
    return typeof parsed.version === 'string' ? parsed.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
