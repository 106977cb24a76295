// The request cells (request-cells.ts) as prom-client metrics: objects with the shape Registry reads, whose samples
// are computed at scrape time. Their get() output is also what `registry.getMetricsAsJSON()` returns, so
// AggregatorRegistry.aggregate() can sum the cells of several worker threads (aggregator 'sum': every sample is a
// count or a sum, and cumulative bucket counts stay cumulative when added).
import type { Sample } from './computed-metric.ts';
import { histogramOffsets, requestCount, type Cell, type HistogramSpec } from './request-cells.ts';

/** nginx_ingress_controller_requests: one sample per cell. */
export function countSamples(cells: readonly Cell[]): Sample[] {
  return cells.map((cell) => ({ labels: cell.labels, value: requestCount(cell) }));
}

/** Histogram `h` of every cell that observed it at least once (upstream histograms skip requests no pod answered). */
export function histogramSamples(cells: readonly Cell[], spec: HistogramSpec, h: number): Sample[] {
  const samples: Sample[] = [];
  const offset = histogramOffsets[h]!;
  const n = spec.buckets.length;
  const bucketName = `${spec.name}_bucket`;
  for (const cell of cells) {
    const data = cell.data;
    const count = data[offset + n + 2]!;
    if (count === 0) continue;
    let cumulative = 0;
    for (let b = 0; b < n; b++) {
      cumulative += data[offset + b]!;
      samples.push({ metricName: bucketName, labels: { ...cell.labels, le: spec.buckets[b]! }, value: cumulative });
    }
    samples.push({ metricName: bucketName, labels: { ...cell.labels, le: '+Inf' }, value: count });
    samples.push({ metricName: `${spec.name}_sum`, labels: cell.labels, value: data[offset + n + 1]! });
    samples.push({ metricName: `${spec.name}_count`, labels: cell.labels, value: count });
  }
  return samples;
}
