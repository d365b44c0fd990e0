import { describe, expect, it } from 'vitest';
import { createProgressParser, type FfmpegProgress } from './create-progress-parser.js';

describe('createProgressParser', () => {
  it('reports each block with a forward time, across chunk boundaries', () => {
    const reports: FfmpegProgress[] = [];
    const feed = createProgressParser((progress) => reports.push(progress));
    feed('frame=1\nout_time_us=N/A\nspeed=N/A\nprogress=continue\nout_time_us=5000');
    feed('00\nspeed=1.5x\nprogress=continue\nout_time_us=500000\nspeed=1.5x\nprogress=continue\n');
    feed('out_time_us=1000000\nspeed=2x\nprogress=end\n');
    expect(reports).toEqual([
      { outTimeSeconds: 0.5, speed: 1.5 },
      { outTimeSeconds: 1, speed: 2 },
    ]);
  });
});
