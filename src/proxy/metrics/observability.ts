// Builds, from the process flags, what the wiring hands to the status server, the route updater (the compile
// timer) and the proxy listeners (trusted proxies, the request observer). The scrape reads the updater, table,
// endpoint store and informers through `live`, filled in once they exist (the status port listens before them).
//
// Two registries: the data plane's (ProxyMetrics: what each serving worker thread counts) and the control plane's
// (ControlMetrics: reloads, compile, diagnostics, informers, process, in the primary). The primary serves its
// control registry next to AggregatorRegistry.aggregate() of the workers' getMetricsAsJSON() (src/main.ts).
import { Registry } from 'prom-client';
import type { InformerHealth } from '../../watch/index.ts';
import { AccessLog } from '../access-log/access-log.ts';
import type { LineSink } from '../access-log/line-sink.ts';
import { TrustedProxies } from '../client-address.ts';
import type { EndpointStore } from '../endpoints/endpoint-store.ts';
import { rateLimitsFor } from '../rate-limit/rate-limit-stage.ts';
import type { RouteUpdater } from '../route-updater.ts';
import type { TableSlot } from '../table-slot.ts';
import { ControlMetrics } from './control-metrics.ts';
import { ProxyMetrics } from './proxy-metrics.ts';
import { RequestObserver } from './request-observer.ts';

export interface LiveSources {
  updater?: RouteUpdater;
  tableSlot?: TableSlot;
  endpoints?: EndpointStore;
  /** Kubernetes mode: KubeSource.informerHealth. */
  informers?: () => readonly InformerHealth[];
}

/** A serving thread's part: the request observer (data-plane metrics, access log) and trusted proxies. */
export interface ServingObservability {
  readonly proxyOptions: { readonly trustedProxies: TrustedProxies | null; readonly observer: RequestObserver | null };
  /** The data-plane registry as prom-client JSON, for the primary to aggregate; null with --no-metrics. */
  metricsJson(): Promise<unknown[] | null>;
  close(): Promise<void>;
}

/** The primary's part: reloads, compile, diagnostics, informers and process metrics. */
export interface ControlObservability {
  /** null with --no-metrics. */
  readonly registry: Registry | null;
  /** RouteUpdaterDeps.onCompiled (the compile-duration histogram); undefined with --no-metrics. */
  readonly onCompiled: ((seconds: number) => void) | undefined;
}

export interface ObservabilityFlags {
  readonly metrics: boolean;
  readonly accessLog: string;
  readonly trustedProxies: readonly string[];
  /** Manifest-file mode (no informers, so no informer metrics). */
  readonly manifests?: string | undefined;
  /** --controller-class: ingress-nginx's controller_class label. */
  readonly compile: { readonly controllerClass: string };
}

/** `accessLogSink`: where access-log lines go (line-sink.ts); null with --access-log off. */
export function servingObservability(
  flags: ObservabilityFlags,
  live: LiveSources,
  accessLogSink: LineSink | null,
  env: NodeJS.ProcessEnv = process.env,
): ServingObservability {
  const trustedProxies = flags.trustedProxies.length === 0 ? null : new TrustedProxies(flags.trustedProxies);
  const data = flags.metrics ? dataPlaneMetrics(live, controllerLabels(flags.compile.controllerClass, env)) : null;
  const accessLog = accessLogSink === null ? null : new AccessLog(accessLogSink, trustedProxies);
  const observer = data === null && accessLog === null ? null : new RequestObserver(data, accessLog);
  return {
    proxyOptions: { trustedProxies, observer },
    metricsJson: async () => (data === null ? null : await data.registry.getMetricsAsJSON()),
    close: async () => accessLog?.close(),
  };
}

export function controlObservability(flags: ObservabilityFlags, live: LiveSources, env: NodeJS.ProcessEnv = process.env): ControlObservability {
  const control = flags.metrics ? controlPlaneMetrics(live, flags.manifests === undefined, controllerLabels(flags.compile.controllerClass, env)) : null;
  return { registry: control?.registry ?? null, onCompiled: control?.compiled };
}

/**
 * ingress-nginx's const labels on every metric (controller_class is the IngressClass controller value, e.g.
 * k8s.io/ingress-nginx), which its Grafana dashboards select on; pod and namespace from the downward API.
 */
export function controllerLabels(controllerClass: string, env: NodeJS.ProcessEnv): Record<string, string> {
  return { controller_class: controllerClass, controller_namespace: env['POD_NAMESPACE'] ?? '', controller_pod: env['POD_NAME'] ?? '' };
}

/** A serving thread's metrics: requests, connections, upstream errors, rate-limit fallbacks, endpoints. */
export function dataPlaneMetrics(live: Pick<LiveSources, 'tableSlot' | 'endpoints'>, labels: Record<string, string>): ProxyMetrics {
  const metrics = new ProxyMetrics({
    rateLimitFallbacks: () => (live.tableSlot === undefined ? 0 : rateLimitsFor(live.tableSlot).fallbacks),
    rateLimitRejections: () => (live.tableSlot === undefined ? { rate: 0, connections: 0 } : rateLimitsFor(live.tableSlot).rejected),
    endpoints: () => endpointCounts(live),
  });
  metrics.registry.setDefaultLabels(labels);
  return metrics;
}

/** The process's control-plane metrics; `kube`: the Kubernetes source runs (informer metrics). */
export function controlPlaneMetrics(live: Pick<LiveSources, 'updater' | 'informers'>, kube: boolean, labels: Record<string, string>): ControlMetrics {
  const metrics = new ControlMetrics({
    config: () => ({
      generation: live.updater?.generation ?? 0,
      failedCompiles: live.updater?.failedCompiles ?? 0,
      lastReloadSuccessful: live.updater?.lastCompileFailed !== true,
      lastReloadSeconds: live.updater?.lastInstallSeconds ?? 0,
    }),
    diagnostics: () => live.updater?.diagnostics ?? [],
    ...(kube ? { informers: () => live.informers?.() ?? [] } : {}),
  });
  metrics.registry.setDefaultLabels(labels);
  return metrics;
}

function* endpointCounts(live: Pick<LiveSources, 'tableSlot' | 'endpoints'>): Iterable<{ namespace: string; service: string; backend: string; count: number }> {
  const table = live.tableSlot?.current;
  const endpoints = live.endpoints;
  if (table === undefined || endpoints === undefined) return;
  for (const backend of table.backends.values()) {
    yield { namespace: backend.namespace, service: backend.service, backend: backend.key, count: endpoints.endpointsFor(backend).length };
  }
}
