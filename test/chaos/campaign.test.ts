/**
 * The short form of the fault campaign (test/chaos/run-campaign.ts runs the long one): two
 * deliveries, two consumers, 20 s or more of faults (until every kind came at least once), a fixed
 * seed, then every check of the campaign must hold.
 */
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../harness/index.js';
import { FAULT_KINDS, formatCampaignReport, runCampaign } from './campaign.js';

const temp = useTempDir('chaos');

describe('fault campaign (short form)', () => {
  it('ends with the bucket, catalog, queue and Bunny library consistent after every kind of fault', async () => {
    const lines: string[] = [];
    const report = await runCampaign({
      root: temp.path,
      seed: 7,
      deliveries: 2,
      consumers: 2,
      faultSeconds: 20,
      faultPauseSeconds: [1, 3],
      recoverySeconds: 180,
      log: (line) => lines.push(line),
    });
    const table = formatCampaignReport(report);
    for (const kind of FAULT_KINDS) expect(report.faults[kind], `${kind}\n${table}`).toBeGreaterThan(0);
    for (const check of report.checks)
      expect(check.ok, `${check.name}: ${check.detail}\n${table}\n${lines.join('\n')}`).toBe(true);
  }, 420_000);
});
