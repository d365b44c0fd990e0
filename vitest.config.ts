import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The workspace packages' `exports` point at their built `dist/` files. Tests import the TypeScript
 * sources instead (no build needed for a unit test), while the programs that tests start as
 * processes run the built code, as users do (see test/harness/global-build.ts).
 */
const source = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const alias = [
  { find: /^@exercise-pipeline\/shared\/cli$/, replacement: source('./shared/src/cli/index.ts') },
  { find: /^@exercise-pipeline\/shared$/, replacement: source('./shared/src/index.ts') },
  { find: /^@exercise-pipeline\/infra$/, replacement: source('./infra/src/index.ts') },
  // The programs' subpaths: `…/program` is the CLI entry, `…/<folder>` a source folder's index.
  {
    find: /^@exercise-pipeline\/(ingest-agent|render-consumer)\/program$/,
    replacement: `${source('./')}$1/src/cli.ts`,
  },
  {
    find: /^@exercise-pipeline\/(ingest-agent|render-consumer)\/([a-z-]+)$/,
    replacement: `${source('./')}$1/src/$2/index.ts`,
  },
];

/**
 * Two projects in one run. The unit tests beside the sources share their worker process
 * (`isolate: false`): starting a fresh process and re-importing the modules for each of ~125 small
 * files cost about four minutes of the suite. They leave no global state behind (a test that changes
 * `process.env` restores it). The tests under `test/` start programs, moto and databases and keep a
 * process per file.
 */
const UNIT_TESTS = [
  'shared/src/**/*.test.ts',
  'ingest-agent/src/**/*.test.ts',
  'render-consumer/src/**/*.test.ts',
  'infra/src/**/*.test.ts',
];

export default defineConfig({
  resolve: { alias },
  test: {
    globalSetup: ['test/harness/global-build.ts'],
    setupFiles: ['test/harness/leak-check.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT_TESTS, isolate: false } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'] } },
    ],
  },
});
