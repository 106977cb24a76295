// GET /metrics of a node: the primary's control-plane registry, then the workers' data-plane counters summed
// by prom-client's aggregator (each metric's own rule: sums, and max for per-backend endpoint counts), so the
// node reports one set of numbers whatever the number of workers.
import { AggregatorRegistry, Registry } from 'prom-client';
import type { MetricsSource } from '../proxy/index.ts';
import type { WorkerPool } from './worker-pool.ts';

/** `pool`: undefined until the workers exist (the status port serves before the first load). */
export function nodeMetrics(control: Registry, pool: () => WorkerPool | undefined): MetricsSource {
  return {
    contentType: Registry.PROMETHEUS_CONTENT_TYPE,
    async text() {
      const perWorker = (await pool()?.metrics()) ?? [];
      const [own, workers] = await Promise.all([control.metrics(), AggregatorRegistry.aggregate(perWorker as never).metrics()]);
      return `${own}\n${workers}`;
    },
  };
}
