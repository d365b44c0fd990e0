#!/usr/bin/env node
// The consumer's entry point: the built CLI (`pnpm build` writes dist/), which returns the exit
// code (0 done, 2 input refused, 1 failure).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
