// Wiring only: builds each stage and connects them in the pipeline's one direction
// (source → snapshot → compile → route table → proxy). Behaviour lives in the stages.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AddressInfo, Server } from 'node:net';
import type { Logger } from 'pino';
import type { GatewayConfig } from './cli/options.ts';
import { emptySnapshot, type Diagnostic, type Ingress, type IngressClass, type Snapshot, type SourceUpdate } from './model/index.ts';
import { compareIngresses, compile, isOurIngress, normalizeHost, normalizeRequestPath } from './router/index.ts';
import { CertificateStore, generateFakeCertificate } from './tls/index.ts';
import { ManifestSource, loadKubeModules, type KubeSource, type StatusPublisher } from './watch/index.ts';
import { EndpointStore, RouteUpdater, TableSlot, Upstreams, createProxyServer, createStatusServer } from './proxy/index.ts';
import { RateLimits, attachRateLimits } from './proxy/rate-limit/rate-limit-stage.ts';
import { announceShutdown } from './proxy/server-drain.ts';
import { createObservability, type LiveSources } from './proxy/metrics/observability.ts';

export interface RunningGateway {
  /**
   * Readiness fails and HTTP/1.1 responses say `Connection: close` at once; the listeners keep accepting for
   * `delayMs` (kube-proxy and load balancers take that long to stop sending here), then stop accepting and let
   * in-flight requests finish (up to `graceMs`); then everything is closed.
   */
  shutdown(delayMs: number, graceMs: number): Promise<void>;
}

export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  // Resolved before anything listens: with neither files nor a cluster, say so and stop. The Kubernetes and
  // Redis client libraries are loaded only when used (≈86 MiB and ≈25 MiB of RSS on import).
  const kubeModules = config.manifests === undefined ? await loadKubeModules() : undefined;
  const kube = kubeModules?.loadKubeConfig({ kubeconfig: config.kubeconfig, env: process.env });
  let ready = false;
  let notReadyReason = 'waiting for the first complete load of objects';
  let sourceDetail = (): string => '';
  let sourceDegraded = (): string => '';
  // Metrics, access log and trusted proxies (proxy/metrics/observability.ts); `live` is filled in below.
  const live: LiveSources = {};
  const observability = createObservability(config, live);
  const status = createStatusServer({
    isReady: () => ready,
    notReadyReason: () => sourceDetail() || notReadyReason,
    degradedReason: () => sourceDegraded(),
  }, observability.registry);
  await listen(status, config.statusPort, config.bindAddress, 'status', logger);

  const isServed = servedBy(config);
  const statusPublisher =
    kube === undefined || kubeModules === undefined ? undefined : createStatusPublisher(kubeModules.StatusPublisher, config, kube.config, isServed, logger);
  const tableSlot = new TableSlot(compile(emptySnapshot, config.compile).table);
  const { RedisRateStore } = config.rateLimitStore === undefined ? { RedisRateStore: undefined } : await import('./proxy/rate-limit/redis-store.ts');
  const store =
    config.rateLimitStore === undefined || RedisRateStore === undefined
      ? null
      : new RedisRateStore(config.rateLimitStore.url, config.rateLimitStore.timeoutMs, () => logger.info('rate-limit store connected'));
  attachRateLimits(tableSlot, new RateLimits({ store, logger }));
  const certificates = new CertificateStore({
    settings: { protocols: config.tls.protocols, ciphers: config.tls.ciphers },
    fakeCertificate: await generateFakeCertificate(),
    plan: {
      isServed,
      order: compareIngresses,
      defaultSecret: config.tls.defaultSslCertificate,
    },
  });
  const endpoints = new EndpointStore();
  const updater = new RouteUpdater({
    // The status writer sees every compiled snapshot and its diagnostics (for Ingress status and Events).
    // Certificates are planned from the same snapshot and installed just before its routing table, so the
    // 'routing table installed' log line also means "its certificates are served".
    // `previous`: the serving table's settings, kept for a global ConfigMap key whose new value is invalid.
    compile: (snapshot, options, previous) => {
      const compiled = compile(snapshot, options, previous);
      const result = { ...compiled, diagnostics: [...compiled.diagnostics, ...certificates.update(snapshot)] };
      statusPublisher?.observe(snapshot, result.diagnostics);
      return result;
    },
    options: config.compile,
    installTable: (table) => tableSlot.swap(table),
    updateEndpoints: (update) => endpoints.update(update.endpointSlices),
    logger,
  });
  const onUpdate = (update: SourceUpdate, diagnostics: Diagnostic[]): void => updater.apply(update, diagnostics);
  let source: ManifestSource | KubeSource;
  if (kube === undefined || kubeModules === undefined) {
    source = new ManifestSource({ path: config.manifests ?? '', logger, onUpdate, configMap: config.configMap });
  } else {
    logger.info({ origin: kube.origin, namespace: config.watchNamespace ?? '(all)' }, 'kube: connecting');
    const kubeSource = new kubeModules.KubeSource({
      config: kube.config,
      namespace: config.watchNamespace,
      logger,
      onUpdate,
      configMap: config.configMap,
      syncFailureTimeoutMs: config.syncFailureTimeoutMs,
      // Serving an ever older table is worse than a restart: exit so Kubernetes restarts the pod.
      onSyncFailure: (message) => {
        logger.fatal({ syncFailureTimeoutMs: config.syncFailureTimeoutMs }, `kube: ${message}; exiting`);
        process.exit(1);
      },
    });
    sourceDetail = () => kubeSource.notReadyReason();
    sourceDegraded = () => kubeSource.degradedReason();
    source = kubeSource;
  }
  await source.start();
  statusPublisher?.start();

  // One set of upstream pools and balancers for both listeners: one connection set per pod, one round robin.
  // New upstream connections get the connect timeout of the table serving when they are opened.
  const connectTimeoutMs = (): number => tableSlot.current.settings.proxyConnectTimeoutMs;
  const upstreams = new Upstreams({ endpoints, connectTimeoutMs, logger });
  Object.assign(live, { updater, tableSlot, endpoints });
  const proxyOptions = {
    ...observability.proxyOptions,
    tableSlot,
    endpoints,
    upstreams,
    normalizeHost,
    normalizeRequestPath,
    logger,
  };
  const proxy = createProxyServer(proxyOptions);
  const secureProxy = createProxyServer({
    ...proxyOptions,
    tls: { serverOptions: certificates.serverOptions(), hasOwnCertificate: (host: string) => certificates.hasOwnCertificate(host) },
  });
  certificates.attach(secureProxy.server);
  // Traffic is accepted only once the first complete load is compiled: answering from an empty or partial
  // table would send real requests to 404s.
  await listen(proxy.server, config.httpPort, config.bindAddress, 'http', logger);
  await listen(secureProxy.server, config.httpsPort, config.bindAddress, 'https', logger);
  ready = true;

  return {
    async shutdown(delayMs, graceMs) {
      ready = false;
      notReadyReason = 'shutting down';
      announceShutdown(proxy.server);
      announceShutdown(secureProxy.server);
      // The source stays open during the delay: upstream pods may be rolling at the same time.
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const closeSource = async (): Promise<void> => {
        await source.close();
        await statusPublisher?.stop();
      };
      const draining = Promise.all([closeSource(), proxy.drain(graceMs), secureProxy.drain(graceMs)]);
      // Logged once drain() has closed the listeners (synchronously, before its first await): a client that
      // reads this line and connects must be refused, not queued on a socket about to close and then reset.
      logger.info({ graceMs }, 'shutdown: listeners closing');
      await draining;
      await upstreams.close();
      store?.close();
      await observability.close();
      await new Promise<void>((resolve) => status.close(() => resolve()));
    },
  };
}

/**
 * Whether an Ingress is ours (class filter), for the certificate plan and the status writer. The IngressClass
 * map is built once per snapshot, not once per Ingress asked about.
 */
function servedBy(config: GatewayConfig): (ingress: Ingress, snapshot: Snapshot) => boolean {
  const classMaps = new WeakMap<Snapshot, Map<string, IngressClass>>();
  return (ingress, snapshot) => {
    let classes = classMaps.get(snapshot);
    if (classes === undefined) classMaps.set(snapshot, (classes = new Map(snapshot.ingressClasses.map((c) => [c.metadata.name, c]))));
    return isOurIngress(ingress, classes, config.compile);
  };
}

function createStatusPublisher(
  Publisher: typeof import('./watch/kube-entry.ts').StatusPublisher,
  config: GatewayConfig,
  kubeConfig: KubeConfig,
  isServed: (ingress: Ingress, snapshot: Snapshot) => boolean,
  logger: Logger,
): StatusPublisher {
  // client-go's default identity is hostname_uuid; POD_NAME (downward API) is clearer in `kubectl get lease`.
  const identity = `${process.env['POD_NAME'] || hostname()}_${randomUUID().slice(0, 8)}`;
  const leaseNamespace = process.env['POD_NAMESPACE'] || kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace || 'default';
  return new Publisher({
    config: kubeConfig,
    logger,
    identity,
    leaseNamespace,
    electionId: config.electionId,
    publishAddresses: config.publishStatusAddresses,
    env: process.env,
    isServed,
  });
}

function listen(server: Server, port: number, host: string, listener: string, logger: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      logger.info({ listener, address: host, port: (server.address() as AddressInfo).port }, 'listening');
      resolve();
    });
  });
}
