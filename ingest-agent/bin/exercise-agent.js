#!/usr/bin/env node
// The agent is TypeScript run without a build step: register tsx's loader in this process, then
// hand over to the CLI, which returns the exit code (0 done, 2 input refused, 1 failure).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
