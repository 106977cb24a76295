// The Prometheus registry served at GET /metrics on the status port. Names follow ingress-nginx's where one
// exists (docs/user-guide/monitoring.md) so existing dashboards keep working; Sluice-only ones are sluice_*.
// Everything except the per-request cells (request-cells.ts) is read from its owner at scrape time.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProxyErrorKind } from '../errors.ts';
import { RequestCells, durationBuckets } from './request-cells.ts';

/** What the scrape reads from the rest of the process; each is optional so tests can wire only a part. */
export interface MetricsSources {
  /** RouteUpdater: generation, failedCompiles, and whether the last compile succeeded. */
  readonly config?: () => { generation: number; failedCompiles: number; lastReloadSuccessful: boolean; lastReloadSeconds: number };
  /** RateLimits.fallbacks. */
  readonly rateLimitFallbacks?: () => number;
  /** Ready endpoints per backend (namespace, service, key). */
  readonly endpoints?: () => Iterable<{ namespace: string; service: string; backend: string; count: number }>;
}

export class ProxyMetrics {
  readonly registry = new Registry();
  readonly requests = new RequestCells();
  readonly #upstreamErrors: Counter<'kind'>;

  constructor(sources: MetricsSources = {}) {
    const registry = this.registry;
    const cells = this.requests.cells;
    registry.registerMetric(cellMetric('nginx_ingress_controller_requests', 'The total number of client requests', 'counter', () =>
      cells.map((cell) => ({ labels: cell.labels, value: cell.count })),
    ));
    registry.registerMetric(cellMetric('nginx_ingress_controller_request_duration_seconds', 'The request processing time in seconds (first byte read to last byte sent)', 'histogram', () =>
      cells.flatMap((cell) => histogramSamples('nginx_ingress_controller_request_duration_seconds', cell.labels, cell.buckets, cell.sum, cell.count)),
    ));
    this.#upstreamErrors = new Counter({ name: 'sluice_upstream_errors_total', help: 'Upstream failures by kind (after retries)', labelNames: ['kind'], registers: [registry] });
    const config = sources.config;
    if (config !== undefined) {
      gauge(registry, 'nginx_ingress_controller_config_last_reload_successful', 'Whether the last routing-table compile succeeded (1) or failed (0)', () => (config().lastReloadSuccessful ? 1 : 0));
      gauge(registry, 'nginx_ingress_controller_config_last_reload_successful_timestamp_seconds', 'Time of the last successful routing-table install', () => config().lastReloadSeconds);
      gauge(registry, 'sluice_routing_table_generation', 'Routing tables installed since start', () => config().generation);
      counterFrom(registry, 'sluice_config_failed_compiles_total', 'Compiles that threw; the last good table kept serving', () => config().failedCompiles);
    }
    const fallbacks = sources.rateLimitFallbacks;
    if (fallbacks !== undefined) {
      counterFrom(registry, 'sluice_rate_limit_store_fallbacks_total', 'Cluster-scoped rate-limit decisions made per node because the store was unreachable or slow', fallbacks);
    }
    const endpoints = sources.endpoints;
    if (endpoints !== undefined) {
      new Gauge({
        name: 'sluice_backend_endpoints',
        help: 'Endpoints traffic is sent to, per backend (Service port)',
        labelNames: ['namespace', 'service', 'backend'],
        registers: [registry],
        collect() {
          this.reset();
          for (const e of endpoints()) this.set({ namespace: e.namespace, service: e.service, backend: e.backend }, e.count);
        },
      });
    }
    collectDefaultMetrics({ register: registry });
  }

  /** Called once per request when it ends (request-observer.ts). */
  upstreamError(kind: ProxyErrorKind): void {
    this.#upstreamErrors.inc({ kind });
  }
}

type Sample = { metricName?: string; labels: Readonly<Record<string, string | number>>; value: number };

/** A metric whose samples are computed at scrape time, in the shape prom-client's Registry formats. */
function cellMetric(name: string, help: string, type: 'counter' | 'histogram', values: () => Sample[]) {
  return { name, help, type, aggregator: 'sum', get: async () => ({ name, help, type, aggregator: 'sum', values: values() }), reset() {} } as never;
}

function histogramSamples(name: string, labels: Readonly<Record<string, string>>, buckets: Float64Array, sum: number, count: number): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  for (let b = 0; b < durationBuckets.length; b++) {
    cumulative += buckets[b]!;
    samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le: durationBuckets[b]! }, value: cumulative });
  }
  samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
  samples.push({ metricName: `${name}_sum`, labels, value: sum });
  samples.push({ metricName: `${name}_count`, labels, value: count });
  return samples;
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
}

/** A counter whose total is kept by its owner (a plain number field) and copied at scrape time. */
function counterFrom(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(read()); } });
}
