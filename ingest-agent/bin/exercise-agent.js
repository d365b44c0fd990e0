#!/usr/bin/env node
// The agent's entry point: the built CLI (`pnpm build` writes dist/), which returns the exit code
// (0 done, 2 input refused, 1 failure).
import module from 'node:module';

// Node keeps the compiled code of the modules on disk (under the OS temp dir) and reuses it on
// the next start, so later calls skip compiling zod, pino and the AWS SDK again. Where the cache
// cannot be written, Node just compiles as usual.
module.enableCompileCache?.();
const { main } = await import('../dist/cli.js');

process.exitCode = await main(process.argv.slice(2));
