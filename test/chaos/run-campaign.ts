/**
 * The fault campaign on demand (see campaign.ts):
 *
 *   pnpm build && node --import tsx test/chaos/run-campaign.ts [--seconds 300] [--deliveries 6] [--consumers 3] [--seed 1] [--keep]
 *
 * Prints the faults injected and the checks as a table; exit 0 when every check holds, 1 otherwise,
 * 2 for bad flags. Runs only against what it starts itself on loopback (moto, its own PostgreSQL,
 * the Bunny double); logs of every program are kept under the work folder with --keep.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatCampaignReport, runCampaign } from './campaign.js';

function whole(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`--${name} must be a whole number >= ${min}, got ${text}`);
  return value;
}

async function main(): Promise<number> {
  let flags: { seconds: number; deliveries: number; consumers: number; seed: number; keep: boolean };
  try {
    const { values } = parseArgs({
      options: {
        seconds: { type: 'string', default: '300' },
        deliveries: { type: 'string', default: '6' },
        consumers: { type: 'string', default: '3' },
        seed: { type: 'string', default: String(Date.now() % 100_000) },
        keep: { type: 'boolean', default: false },
      },
    });
    flags = {
      seconds: whole('seconds', values.seconds, 10),
      deliveries: whole('deliveries', values.deliveries, 1),
      consumers: whole('consumers', values.consumers, 1),
      seed: whole('seed', values.seed, 0),
      keep: values.keep,
    };
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const root = await mkdtemp(path.join(tmpdir(), 'exercise-chaos-'));
  process.stderr.write(`fault campaign, seed ${flags.seed}, work folder ${root}\n`);
  try {
    const report = await runCampaign({
      root,
      seed: flags.seed,
      deliveries: flags.deliveries,
      consumers: flags.consumers,
      faultSeconds: flags.seconds,
      log: (line) => process.stderr.write(`[chaos] ${line}\n`),
    });
    process.stdout.write(`${formatCampaignReport(report)}\n`);
    return report.checks.every((check) => check.ok) ? 0 : 1;
  } finally {
    if (flags.keep) process.stderr.write(`kept ${root}\n`);
    else await rm(root, { recursive: true, force: true });
  }
}

process.exitCode = await main();
