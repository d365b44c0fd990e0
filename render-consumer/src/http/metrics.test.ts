import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics.js';

describe('MetricsRegistry', () => {
  it('writes counters with HELP, TYPE and escaped label values', async () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter({
      name: 'jobs_total',
      help: 'Jobs done.\nPer kind.',
      labelNames: ['kind'],
    });
    counter.inc({ kind: 'a "quoted"\\kind' });
    counter.inc({ kind: 'plain' }, 2);
    expect(await registry.render()).toBe(
      [
        '# HELP jobs_total Jobs done.\\nPer kind.',
        '# TYPE jobs_total counter',
        'jobs_total{kind="a \\"quoted\\"\\\\kind"} 1',
        'jobs_total{kind="plain"} 2',
        '',
      ].join('\n'),
    );
  });

  it('writes cumulative histogram buckets with +Inf, sum and count', async () => {
    const registry = new MetricsRegistry();
    const histogram = registry.histogram({ name: 'took_seconds', help: 'Time.', buckets: [1, 5] });
    histogram.observe(undefined, 0.5);
    histogram.observe(undefined, 3);
    histogram.observe(undefined, 9);
    const lines = (await registry.render()).split('\n');
    expect(lines).toEqual([
      '# HELP took_seconds Time.',
      '# TYPE took_seconds histogram',
      'took_seconds_bucket{le="1"} 1',
      'took_seconds_bucket{le="5"} 2',
      'took_seconds_bucket{le="+Inf"} 3',
      'took_seconds_sum 12.5',
      'took_seconds_count 3',
      '',
    ]);
  });

  it('refreshes gauges from their collect callback and drops stale values when it fails', async () => {
    const registry = new MetricsRegistry();
    let fail = false;
    registry.gauge({
      name: 'queue_depth',
      help: 'Depth.',
      collect: (gauge) => {
        if (fail) throw new Error('queue unreachable');
        gauge.set(undefined, 7);
      },
    });
    expect(await registry.render()).toContain('\nqueue_depth 7\n');
    fail = true;
    const text = await registry.render();
    expect(text).not.toContain('queue_depth 7');
    expect(text).toContain('# collect failed: queue unreachable');
  });

  it('refuses labels the metric was not declared with, duplicate names and decreasing counters', () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter({ name: 'c_total', help: 'c', labelNames: ['a'] });
    expect(() => counter.inc({ b: 'x' })).toThrow(/takes labels \[a\]/);
    expect(() => counter.inc({ a: 'x' }, -1)).toThrow(/only increase/);
    expect(() => registry.counter({ name: 'c_total', help: 'again' })).toThrow(/registered twice/);
    expect(() => registry.gauge({ name: 'bad-name', help: 'x' })).toThrow(/not a Prometheus name/);
  });
});
