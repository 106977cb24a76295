// The control-plane registry: what the thread that runs the sources and compiles knows — routing-table reloads,
// compile duration, current diagnostics, Kubernetes informer health — and the process metrics
// (collectDefaultMetrics: once per process, here, never in a serving thread's registry). Everything but the
// compile histogram is read from its owner at scrape time. The serving side's metrics are in proxy-metrics.ts.
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Diagnostic } from '../../model/index.ts';
import type { InformerHealth } from '../../watch/index.ts';
import { registerComputed, type Sample } from './computed-metric.ts';

export interface ControlSources {
  /** RouteUpdater: generation, failedCompiles, whether the last compile succeeded, and when a table was installed. */
  readonly config?: () => { generation: number; failedCompiles: number; lastReloadSuccessful: boolean; lastReloadSeconds: number };
  /** RouteUpdater.diagnostics: the current ones, source and compile. */
  readonly diagnostics?: () => readonly Diagnostic[];
  /** KubeSource.informerHealth(); absent in manifest-file mode (no informer metrics at all then). */
  readonly informers?: () => readonly InformerHealth[];
}

/** Compile takes about a millisecond for a few Ingresses and grows with thousands of them. */
const compileBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ControlMetrics {
  readonly registry = new Registry();
  readonly #compileDuration: Histogram;

  /** `processMetrics: false` leaves out collectDefaultMetrics (tests that build many registries). */
  constructor(sources: ControlSources = {}, options: { readonly processMetrics?: boolean } = {}) {
    const registry = this.registry;
    this.#compileDuration = new Histogram({
      name: 'sluice_compile_duration_seconds',
      help: 'Time to compile a snapshot into a routing table and certificate plan (failed compiles included)',
      buckets: compileBuckets,
      registers: [registry],
    });
    const config = sources.config;
    if (config !== undefined) {
      gauge(registry, 'nginx_ingress_controller_config_last_reload_successful', 'Whether the last routing-table compile succeeded (1) or failed (0)', () => (config().lastReloadSuccessful ? 1 : 0));
      gauge(registry, 'nginx_ingress_controller_config_last_reload_successful_timestamp_seconds', 'Time of the last successful routing-table install', () => config().lastReloadSeconds);
      gauge(registry, 'sluice_routing_table_generation', 'Routing tables installed since start', () => config().generation);
      registerComputed(registry, 'sluice_config_failed_compiles_total', 'Compiles that threw; the last good table kept serving', 'counter', () => [
        { labels: {}, value: config().failedCompiles },
      ]);
    }
    if (sources.diagnostics !== undefined) registerDiagnostics(registry, sources.diagnostics);
    if (sources.informers !== undefined) registerInformers(registry, sources.informers);
    if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  }

  /** RouteUpdaterDeps.onCompiled. */
  readonly compiled = (seconds: number): void => {
    this.#compileDuration.observe(seconds);
  };
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  registerComputed(registry, name, help, 'gauge', () => [{ labels: {}, value: read() }]);
}

/**
 * sluice_diagnostics{severity, reason}: reasons are the model's closed catalogue, so the label set is bounded. A
 * pair seen once stays, at 0 when its diagnostics are gone, so a resolved problem reads 0 rather than vanishing.
 */
function registerDiagnostics(registry: Registry, current: () => readonly Diagnostic[]): void {
  const seen = new Map<string, { severity: string; reason: string }>();
  registerComputed(registry, 'sluice_diagnostics', 'Current diagnostics (problems in the objects read) by severity and reason', 'gauge', () => {
    const counts = new Map<string, number>();
    for (const d of current()) {
      const key = `${d.severity}/${d.reason}`;
      if (!seen.has(key)) seen.set(key, { severity: d.severity, reason: d.reason });
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...seen].map(([key, labels]) => ({ labels, value: counts.get(key) ?? 0 }));
  });
}

function registerInformers(registry: Registry, informers: () => readonly InformerHealth[]): void {
  const perKind = (name: string, help: string, type: 'gauge' | 'counter', value: (h: InformerHealth) => number): void => {
    registerComputed(registry, name, help, type, (): Sample[] => informers().map((h) => ({ labels: { kind: h.kind }, value: value(h) })));
  };
  perKind('sluice_kube_informer_synced', 'Whether the kind is in sync with the API server (listed and watching): 1, or 0 while listing or failing', 'gauge', (h) => (h.state === 'synced' ? 1 : 0));
  perKind('sluice_kube_informer_listed', 'Whether a complete list of the kind has been received since start (until then none of it is served)', 'gauge', (h) => (h.listed ? 1 : 0));
  perKind('sluice_kube_informer_restarts_total', 'Informers started afresh after a list/watch error (each lists again)', 'counter', (h) => h.restarts);
  perKind('sluice_kube_informer_watches_total', 'Watch requests opened: after each complete list and each resume of a watch the server ended', 'counter', (h) => h.watches);
  perKind('sluice_kube_informer_last_list_timestamp_seconds', 'Time of the last complete list received (0: none yet)', 'gauge', (h) => h.lastListSeconds);
  perKind('sluice_kube_informer_last_watch_event_timestamp_seconds', 'Time of the last watch event received, bookmarks included (0: none yet)', 'gauge', (h) => h.lastWatchEventSeconds);
}
