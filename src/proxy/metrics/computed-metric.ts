// A prom-client metric whose samples are computed at scrape time from numbers their owner keeps (no Gauge.set()
// or Counter.inc() while serving). Registry formats it, and registry.getMetricsAsJSON() returns the same values,
// which AggregatorRegistry.aggregate() combines across threads with the metric's `aggregator`.
import type { Registry } from 'prom-client';

export type Sample = { metricName?: string; labels: Readonly<Record<string, string | number>>; value: number };

/** Registers a metric computed at scrape time, in the shape prom-client's Registry formats and aggregates. */
export function registerComputed(
  registry: Registry,
  name: string,
  help: string,
  type: 'counter' | 'gauge' | 'histogram',
  values: () => Sample[],
  aggregator: 'sum' | 'max' = 'sum',
): void {
  const metric = { name, help, type, aggregator, get: async () => ({ name, help, type, aggregator, values: values() }), reset() {} };
  registry.registerMetric(metric as never);
}

