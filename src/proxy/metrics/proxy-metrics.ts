// The data-plane registry: what the serving side counts (requests, their latencies and sizes, connections,
// upstream errors, rate-limit fallbacks, endpoints). Names follow ingress-nginx's where one exists
// (docs/user-guide/monitoring.md) so existing dashboards keep working; Sluice-only ones are sluice_*. The
// control plane (config reloads, compile, diagnostics, informers, process) has its own registry
// (control-metrics.ts).
//
// One ProxyMetrics per serving thread. Every metric here aggregates across threads with prom-client's
// AggregatorRegistry.aggregate(): counters, histograms and connection gauges are summed; endpoints per backend,
// the same in every thread, take the max. No process metrics here (collectDefaultMetrics): summed across
// threads of one process they would be counted once per thread.
import { Counter, Registry } from 'prom-client';
import type { ProxyErrorKind } from '../errors.ts';
import { countSamples, histogramSamples } from './cell-samples.ts';
import { registerComputed } from './computed-metric.ts';
import { ConnectionCounts } from './connection-counts.ts';
import { RequestCells, requestCount, requestHistograms } from './request-cells.ts';

/** What the scrape reads from the rest of the serving side; each is optional so tests can wire only a part. */
export interface MetricsSources {
  /** RateLimits.fallbacks. */
  readonly rateLimitFallbacks?: () => number;
  /** RateLimits.rejected: requests refused by limit-rps/-rpm ('rate') and limit-connections ('connections'). */
  readonly rateLimitRejections?: () => { readonly rate: number; readonly connections: number };
  /** Ready endpoints per backend (namespace, service, key). */
  readonly endpoints?: () => Iterable<{ namespace: string; service: string; backend: string; count: number }>;
}

export class ProxyMetrics {
  readonly registry = new Registry();
  readonly requests = new RequestCells();
  readonly connections = new ConnectionCounts();
  readonly #upstreamErrors: Counter<'kind'>;

  constructor(sources: MetricsSources = {}) {
    const registry = this.registry;
    const cells = this.requests.cells;
    registerComputed(registry, 'nginx_ingress_controller_requests', 'The total number of client requests', 'counter', () => countSamples(cells));
    requestHistograms.forEach((spec, h) => {
      registerComputed(registry, spec.name, spec.help, 'histogram', () => histogramSamples(cells, spec, h));
    });
    this.#registerConnections();
    this.#upstreamErrors = new Counter({ name: 'sluice_upstream_errors_total', help: 'Upstream failures by kind (after retries)', labelNames: ['kind'], registers: [registry] });
    const fallbacks = sources.rateLimitFallbacks;
    if (fallbacks !== undefined) {
      registerComputed(registry, 'sluice_rate_limit_store_fallbacks_total', 'Cluster-scoped rate-limit decisions made per node because the store was unreachable or slow', 'counter', () => [
        { labels: {}, value: fallbacks() },
      ]);
    }
    const rejections = sources.rateLimitRejections;
    if (rejections !== undefined) {
      registerComputed(registry, 'sluice_rate_limit_rejections_total', 'Requests refused by limit-rps/limit-rpm (kind="rate") and by limit-connections (kind="connections")', 'counter', () => {
        const { rate, connections } = rejections();
        return [{ labels: { kind: 'rate' }, value: rate }, { labels: { kind: 'connections' }, value: connections }];
      });
    }
    const endpoints = sources.endpoints;
    if (endpoints !== undefined) {
      const samples = () => [...endpoints()].map((e) => ({ labels: { namespace: e.namespace, service: e.service, backend: e.backend }, value: e.count }));
      registerComputed(registry, 'sluice_backend_endpoints', 'Endpoints traffic is sent to, per backend (Service port)', 'gauge', samples, 'max');
    }
  }

  /** Called once per request when it ends (request-observer.ts). */
  upstreamError(kind: ProxyErrorKind): void {
    this.#upstreamErrors.inc({ kind });
  }

  #registerConnections(): void {
    const c = this.connections;
    const cells = this.requests.cells;
    registerComputed(
      this.registry,
      'nginx_ingress_controller_nginx_process_connections',
      'Current client connections of the traffic listeners by state. active: open connections (plain, TLS, HTTP/2, upgraded). ' +
        'writing: requests in progress (HTTP/1.x requests and HTTP/2 streams from their header to their last byte; upgrades until the tunnel closes). ' +
        'waiting: HTTP/1.x connections with no request in progress (idle keep-alive, or the next request header still arriving: ' +
        'node:http parses headers internally, so nginx\'s reading state is not reported and is counted here). HTTP/2 connections and TLS handshakes in progress are counted in active only.',
      'gauge',
      () => [
        { labels: { state: 'active' }, value: c.active },
        { labels: { state: 'writing' }, value: c.requests },
        { labels: { state: 'waiting' }, value: c.waiting },
      ],
    );
    registerComputed(
      this.registry,
      'nginx_ingress_controller_nginx_process_connections_total',
      'Client connections since start by state. accepted: accepted by the traffic listeners. handled: the same (Sluice sets no connection limit that would drop one)',
      'counter',
      () => [
        { labels: { state: 'accepted' }, value: c.accepted },
        { labels: { state: 'handled' }, value: c.accepted },
      ],
    );
    registerComputed(this.registry, 'nginx_ingress_controller_nginx_process_requests_total', 'Total number of client requests', 'counter', () => [
      { labels: {}, value: cells.reduce((total, cell) => total + requestCount(cell), 0) },
    ]);
    registerComputed(this.registry, 'sluice_upgrade_tunnels', 'Open upgraded connections (WebSocket and other Upgrade protocols) spliced to a pod', 'gauge', () => [
      { labels: {}, value: c.tunnels },
    ]);
  }
}
