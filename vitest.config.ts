import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'shared/src/**/*.test.ts',
      'ingest-agent/src/**/*.test.ts',
      'render-consumer/src/**/*.test.ts',
      'infra/src/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    setupFiles: ['test/harness/leak-check.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The pinned AWS SDK warns on every process that future releases will need Node 22; the warning is
    // noise in test output (the README records the pin).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
  },
});
