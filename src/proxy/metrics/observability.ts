// Builds, from the process flags, what main.ts hands to the status server (the /metrics registry) and to both
// proxy listeners (trusted proxies, the request observer), so the wiring stays one call there. The scrape reads
// the updater, table and endpoint store through `live`, filled in by main.ts once they exist (the status port
// listens before them).
import type { Registry } from 'prom-client';
import { AccessLog } from '../access-log/access-log.ts';
import { TrustedProxies } from '../client-address.ts';
import type { EndpointStore } from '../endpoints/endpoint-store.ts';
import { rateLimitsFor } from '../rate-limit/rate-limit-stage.ts';
import type { RouteUpdater } from '../route-updater.ts';
import type { TableSlot } from '../table-slot.ts';
import { ProxyMetrics } from './proxy-metrics.ts';
import { RequestObserver } from './request-observer.ts';

export interface LiveSources {
  updater?: RouteUpdater;
  tableSlot?: TableSlot;
  endpoints?: EndpointStore;
}

export interface Observability {
  readonly registry: Registry | null;
  readonly proxyOptions: { readonly trustedProxies: TrustedProxies | null; readonly observer: RequestObserver | null };
  /** The registry as prom-client JSON (what a worker thread sends the primary to aggregate); null when off. */
  metricsJson(): Promise<unknown[] | null>;
  close(): Promise<void>;
}

export function createObservability(
  flags: { readonly metrics: boolean; readonly accessLog: string; readonly trustedProxies: readonly string[] },
  live: LiveSources,
): Observability {
  const trustedProxies = flags.trustedProxies.length === 0 ? null : new TrustedProxies(flags.trustedProxies);
  const metrics = flags.metrics
    ? new ProxyMetrics({
        config: () => ({
          generation: live.updater?.generation ?? 0,
          failedCompiles: live.updater?.failedCompiles ?? 0,
          lastReloadSuccessful: live.updater?.lastCompileFailed !== true,
          lastReloadSeconds: live.updater?.lastInstallSeconds ?? 0,
        }),
        rateLimitFallbacks: () => (live.tableSlot === undefined ? 0 : rateLimitsFor(live.tableSlot).fallbacks),
        endpoints: () => endpointCounts(live),
      })
    : null;
  const accessLog = flags.accessLog === 'off' ? null : new AccessLog(flags.accessLog, trustedProxies);
  const observer = metrics === null && accessLog === null ? null : new RequestObserver(metrics, accessLog);
  return {
    registry: metrics?.registry ?? null,
    proxyOptions: { trustedProxies, observer },
    metricsJson: async () => (metrics === null ? null : await metrics.registry.getMetricsAsJSON()),
    close: async () => accessLog?.close(),
  };
}

function* endpointCounts(live: LiveSources): Iterable<{ namespace: string; service: string; backend: string; count: number }> {
  const table = live.tableSlot?.current;
  const endpoints = live.endpoints;
  if (table === undefined || endpoints === undefined) return;
  for (const backend of table.backends.values()) {
    yield { namespace: backend.namespace, service: backend.service, backend: backend.key, count: endpoints.endpointsFor(backend).length };
  }
}
