/**
 * A small Prometheus registry: counters, gauges (optionally filled by a collect callback when
 * scraped) and histograms, written in the text exposition format 0.0.4. Label sets are fixed per
 * metric so the number of series stays bounded.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export type Labels = Record<string, string | number>;

interface MetricOptions {
  name: string;
  help: string;
  /** Label names every sample carries (default none). */
  labelNames?: readonly string[];
}

abstract class Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: 'counter' | 'gauge' | 'histogram';

  constructor(options: MetricOptions) {
    if (!NAME_PATTERN.test(options.name))
      throw new TypeError(`metric name ${JSON.stringify(options.name)} is not a Prometheus name`);
    for (const label of options.labelNames ?? []) {
      if (!LABEL_PATTERN.test(label) || label === 'le') {
        throw new TypeError(
          `label ${JSON.stringify(label)} of ${options.name} is not a usable Prometheus label name`,
        );
      }
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
  }

  /** Called before the metric is written; gauges with a collect callback refresh themselves here. */
  async collect(): Promise<void> {}

  abstract samples(): string[];

  header(): string[] {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
  }
}

/** The series key of a label set; refuses labels the metric was not declared with. */
function seriesKey(metric: Metric, labels: Labels = {}): string {
  const names = Object.keys(labels);
  const unknown = names.filter((name) => !metric.labelNames.includes(name));
  const missing = metric.labelNames.filter((name) => !(name in labels));
  if (unknown.length > 0 || missing.length > 0) {
    throw new TypeError(
      `${metric.name} takes labels [${metric.labelNames.join(', ')}], got [${names.join(', ')}]`,
    );
  }
  return metric.labelNames.map((name) => formatLabel(name, String(labels[name]))).join(',');
}

export class Counter extends Metric {
  readonly type = 'counter';
  readonly #values = new Map<string, number>();

  inc(labels?: Labels, value = 1): void {
    if (!(value >= 0)) throw new RangeError(`${this.name} can only increase, got ${value}`);
    const key = seriesKey(this, labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + value);
  }

  get(labels?: Labels): number {
    return this.#values.get(seriesKey(this, labels)) ?? 0;
  }

  samples(): string[] {
    // An unlabelled counter is written as 0 before its first increment so the series exists.
    if (this.#values.size === 0 && this.labelNames.length === 0) return [sample(this.name, '', 0)];
    return [...this.#values].map(([key, value]) => sample(this.name, key, value));
  }
}

export interface GaugeOptions extends MetricOptions {
  /** Refreshes the gauge when scraped (e.g. counts read from the database). */
  collect?: (gauge: Gauge) => void | Promise<void>;
}

export class Gauge extends Metric {
  readonly type = 'gauge';
  readonly #values = new Map<string, number>();
  #collector: GaugeOptions['collect'];
  #collectError: string | undefined;

  constructor(options: GaugeOptions) {
    super(options);
    this.#collector = options.collect;
  }

  /** Replaces the collect callback (a component that starts later provides its own). */
  setCollector(collect: GaugeOptions['collect']): void {
    this.#collector = collect;
  }

  set(labels: Labels | undefined, value: number): void {
    this.#values.set(seriesKey(this, labels), value);
  }

  inc(labels?: Labels, value = 1): void {
    const key = seriesKey(this, labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + value);
  }

  dec(labels?: Labels, value = 1): void {
    this.inc(labels, -value);
  }

  get(labels?: Labels): number | undefined {
    return this.#values.get(seriesKey(this, labels));
  }

  /** Forgets every series (a collect callback starts from a clean slate). */
  reset(): void {
    this.#values.clear();
  }

  override async collect(): Promise<void> {
    this.#collectError = undefined;
    if (!this.#collector) return;
    try {
      await this.#collector(this);
    } catch (error) {
      // A scrape still answers with everything else; stale values of this gauge would mislead.
      this.reset();
      this.#collectError = error instanceof Error ? error.message : String(error);
    }
  }

  samples(): string[] {
    const lines = [...this.#values].map(([key, value]) => sample(this.name, key, value));
    if (this.#collectError !== undefined)
      lines.unshift(`# collect failed: ${escapeHelp(this.#collectError)}`);
    return lines;
  }
}

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, ascending; `+Inf` is added. */
  buckets: readonly number[];
}

interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(options: HistogramOptions) {
    super(options);
    const sorted = options.buckets.every((bound, i) => i === 0 || bound > options.buckets[i - 1]!);
    if (options.buckets.length === 0 || !sorted) {
      throw new TypeError(`buckets of ${options.name} must be a non-empty ascending list`);
    }
    this.buckets = options.buckets.filter((bound) => bound !== Number.POSITIVE_INFINITY);
  }

  observe(labels: Labels | undefined, value: number): void {
    const key = seriesKey(this, labels);
    let series = this.#series.get(key);
    if (!series) {
      series = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    this.buckets.forEach((bound, i) => {
      if (value <= bound) series.counts[i]! += 1;
    });
    series.sum += value;
    series.count += 1;
  }

  /** Observations so far for one label set. */
  count(labels?: Labels): number {
    return this.#series.get(seriesKey(this, labels))?.count ?? 0;
  }

  samples(): string[] {
    const lines: string[] = [];
    for (const [key, series] of this.#series) {
      const withLe = (le: string) => (key === '' ? formatLabel('le', le) : `${key},${formatLabel('le', le)}`);
      this.buckets.forEach((bound, i) => {
        lines.push(sample(`${this.name}_bucket`, withLe(formatNumber(bound)), series.counts[i]!));
      });
      lines.push(sample(`${this.name}_bucket`, withLe('+Inf'), series.count));
      lines.push(sample(`${this.name}_sum`, key, series.sum));
      lines.push(sample(`${this.name}_count`, key, series.count));
    }
    return lines;
  }
}

export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();

  counter(options: MetricOptions): Counter {
    return this.#add(new Counter(options));
  }

  gauge(options: GaugeOptions): Gauge {
    return this.#add(new Gauge(options));
  }

  histogram(options: HistogramOptions): Histogram {
    return this.#add(new Histogram(options));
  }

  /** Runs every collect callback (in parallel), then writes all metrics in the text format. */
  async render(): Promise<string> {
    const metrics = [...this.#metrics.values()];
    await Promise.all(metrics.map((metric) => metric.collect()));
    const lines = metrics.flatMap((metric) => [...metric.header(), ...metric.samples()]);
    return `${lines.join('\n')}\n`;
  }

  #add<M extends Metric>(metric: M): M {
    if (this.#metrics.has(metric.name)) throw new TypeError(`metric ${metric.name} is registered twice`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}

function sample(name: string, labels: string, value: number): string {
  return labels === '' ? `${name} ${formatNumber(value)}` : `${name}{${labels}} ${formatNumber(value)}`;
}

function formatLabel(name: string, value: string): string {
  return `${name}="${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function escapeHelp(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}
