// Wiring only: the primary thread. It runs the source, compiles each snapshot for diagnostics, Ingress status and
// Events, serves the status port, and hands every update to the data-plane worker threads (src/workers/), which
// compile it again and serve traffic. Behaviour lives in the stages.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { GatewayConfig } from './cli/options.ts';
import { emptySnapshot, type Diagnostic, type Ingress, type Snapshot, type SourceUpdate } from './model/index.ts';
import { CompileCache, compareIngresses, compile } from './router/index.ts';
// The modules used, not the stages' index files: those also export the serving side (undici, the proxy), which
// the primary does not run. Measured together with data-plane.ts importing the certificate store alone (workers
// then loaded no selfsigned), `--workers 1`, one route, 6 fresh processes each, medians: idle RSS 137.2 → 126.7
// MiB, peak under load 178.2 → 155.7 MiB.
import { TlsIngresses, planCertificates } from './tls/certificate-plan.ts';
import { generateFakeCertificate } from './tls/fake-certificate.ts';
import { ManifestSource, loadKubeModules, type KubeSource, type StatusPublisher } from './watch/index.ts';
import { RouteUpdater } from './proxy/route-updater.ts';
import { createStatusServer } from './proxy/status-server.ts';
import { createBucketMemory } from './proxy/rate-limit/shared-buckets.ts';
import { listen } from './proxy/listen.ts';
import { controlObservability, type LiveSources } from './proxy/metrics/observability.ts';
import type { StdoutWriter } from './proxy/access-log/line-sink.ts';
import { WorkerPool } from './workers/worker-pool.ts';
import { nodeMetrics } from './workers/node-metrics.ts';
import { servedBy } from './workers/served-by.ts';
import { settleHeap } from './workers/settle-heap.ts';

export interface RunningGateway {
  /**
   * Readiness fails and HTTP/1.1 responses say `Connection: close` at once; the listeners keep accepting for
   * `delayMs` (kube-proxy and load balancers take that long to stop sending here), then stop accepting and let
   * in-flight requests finish (up to `graceMs`); then everything is closed.
   */
  shutdown(delayMs: number, graceMs: number): Promise<void>;
}

/** `stdout`: with --access-log stdout, the writer the logger already writes through (cli.ts); null otherwise. */
export async function startGateway(config: GatewayConfig, logger: Logger, stdout: StdoutWriter | null): Promise<RunningGateway> {
  // Resolved before anything listens: with neither files nor a cluster, say so and stop. The Kubernetes and
  // Redis client libraries are loaded only when used (≈86 MiB and ≈25 MiB of RSS on import).
  const kubeModules = config.manifests === undefined ? await loadKubeModules() : undefined;
  const kube = kubeModules?.loadKubeConfig({ kubeconfig: config.kubeconfig, env: process.env });
  let ready = false;
  let notReadyReason = 'waiting for the first complete load of objects';
  let sourceDetail = (): string => '';
  let sourceDegraded = (): string => '';
  let pool: WorkerPool | undefined;
  const live: LiveSources = {};
  const observability = controlObservability(config, live);
  const status = createStatusServer(
    {
      // Ready while at least one worker serves: a worker being replaced does not take the node out of service.
      isReady: () => ready && (pool?.serving ?? 0) > 0,
      notReadyReason: () => sourceDetail() || (ready ? 'no worker is serving' : notReadyReason),
      degradedReason: () => sourceDegraded(),
    },
    observability.registry === null ? null : nodeMetrics(observability.registry, () => pool),
  );
  const statusPort = await listen(status, { port: config.statusPort, host: config.bindAddress });
  logger.info({ listener: 'status', address: config.bindAddress, port: statusPort }, 'listening');

  const isServed = servedBy(config);
  const statusPublisher =
    kube === undefined || kubeModules === undefined ? undefined : createStatusPublisher(kubeModules, config, kube.config, isServed, logger);
  // The primary compiles too, for what must happen once per node rather than once per worker: diagnostics in
  // the log, Ingress status and Events, the generation count. Workers compile the same snapshot to serve it.
  let latest: SourceUpdate | undefined;
  // Kept from compile to compile: a change recompiles only the hosts it touches (router/compile-cache.ts).
  const compileCache = new CompileCache();
  const tlsIngresses = new TlsIngresses();
  const updater = new RouteUpdater({
    // `previous`: the serving table's settings, kept for a global ConfigMap key whose new value is invalid.
    compile: (snapshot, options, previous) => {
      const compiled = compile(snapshot, options, previous, compileCache);
      const plan = planCertificates(snapshot, { isServed, order: compareIngresses, defaultSecret: config.tls.defaultSslCertificate, now: new Date(), tlsIngresses });
      const result = { ...compiled, diagnostics: [...compiled.diagnostics, ...plan.diagnostics] };
      statusPublisher?.observe(snapshot, result.diagnostics);
      return result;
    },
    options: config.compile,
    // The primary serves nothing itself; its table is only compiled for what is listed above.
    installTable: () => {},
    // The workers' delivery: 'routing table installed' is logged once every worker serves the update. Before the
    // workers exist (the first load), their first listen is what readiness and the 'listening' lines wait for.
    updateEndpoints: (update, snapshotChanged) => {
      latest = update;
      return pool?.broadcast(update, snapshotChanged);
    },
    logger,
    onCompiled: observability.onCompiled,
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
    live.informers = () => kubeSource.informerHealth();
    sourceDetail = () => kubeSource.notReadyReason();
    sourceDegraded = () => kubeSource.degradedReason();
    source = kubeSource;
  }
  await source.start();
  // The first load is compiled: collect what it left before the workers start and traffic comes (settle-heap.ts).
  settleHeap();
  statusPublisher?.start();
  live.updater = updater;

  const workers = new WorkerPool({
    count: config.workers,
    stdoutAccessLog: stdout,
    settings: () => updater.currentSettings,
    ports: { http: config.httpPort, https: config.httpsPort },
    init: { config, fakeCertificate: await generateFakeCertificate(), rateLimitMemory: createBucketMemory() },
    logger,
  });
  pool = workers;
  // Traffic is accepted only once the first complete load is compiled: the workers bind after applying it.
  const ports = await workers.start(latest ?? { snapshot: emptySnapshot, endpointSlices: [] });
  for (const listener of ['http', 'https'] as const) {
    logger.info({ listener, address: config.bindAddress, port: ports[listener], workers: config.workers }, 'listening');
  }
  ready = true;

  return {
    async shutdown(delayMs, graceMs) {
      ready = false;
      notReadyReason = 'shutting down';
      workers.announceShutdown();
      // The source stays open during the delay: upstream pods may be rolling at the same time.
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const closeSource = async (): Promise<void> => {
        await source.close();
        await statusPublisher?.stop();
      };
      // Logged once every worker has closed its listeners: a client that reads this line and connects must be
      // refused, not queued on a socket about to close and then reset.
      await Promise.all([closeSource(), workers.drain(graceMs, () => logger.info({ graceMs }, 'shutdown: listeners closing'))]);
      await stdout?.close();
      await new Promise<void>((resolve) => status.close(() => resolve()));
    },
  };
}

function createStatusPublisher(
  kube: typeof import('./watch/kube-entry.ts'),
  config: GatewayConfig,
  kubeConfig: KubeConfig,
  isServed: (ingress: Ingress, snapshot: Snapshot) => boolean,
  logger: Logger,
): StatusPublisher {
  return new kube.StatusPublisher({
    config: kubeConfig,
    logger,
    identity: kube.publisherIdentity(process.env),
    leaseNamespace: kube.leaseNamespaceOf(process.env, kubeConfig),
    electionId: config.electionId,
    publishAddresses: config.publishStatusAddresses,
    env: process.env,
    isServed,
  });
}
