// One worker's serving side: compiles every snapshot the primary hands it (compile is pure and deterministic, so
// all workers hold equal tables), keeps its own endpoint store, upstream pools, certificates and counters, and
// serves both listeners, bound with SO_REUSEPORT so the kernel spreads connections over the workers.
import type { Logger } from 'pino';
import type { GatewayConfig } from '../cli/options.ts';
import { emptySnapshot, type SettingValues, type SourceUpdate } from '../model/index.ts';
import { CompileCache, compareIngresses, compile, normalizeHost, normalizeRequestPath } from '../router/index.ts';
// The certificate store's modules, not tls/index.ts, which also exports what only the primary runs (src/main.ts).
import { CertificateStore } from '../tls/certificate-store.ts';
import type { IndexedCertificate } from '../tls/certificate-index.ts';
import { EndpointStore, RouteUpdater, TableSlot, Upstreams, createProxyServer } from '../proxy/index.ts';
import { RateLimits, attachRateLimits } from '../proxy/rate-limit/rate-limit-stage.ts';
import { acceptorsPerWorker, listenWithAcceptors } from '../proxy/listen.ts';
import { servingObservability, type LiveSources } from '../proxy/metrics/observability.ts';
import { fileSink, portSink, type LineSink } from '../proxy/access-log/line-sink.ts';
import type { MessagePort } from 'node:worker_threads';
import type { ListenerPorts } from './messages.ts';
import { servedBy } from './served-by.ts';

export interface DataPlaneOptions {
  readonly config: GatewayConfig;
  readonly fakeCertificate: IndexedCertificate;
  readonly rateLimitMemory: SharedArrayBuffer;
  /** --access-log stdout in a worker thread: lines go to the primary through this port. */
  readonly accessLogPort: MessagePort | null;
  /** The node's settings when this worker starts (WorkerInit.settings). */
  readonly settings: SettingValues | undefined;
  readonly logger: Logger;
}

export interface DataPlane {
  /**
   * Applies one source update: its endpoints always, its snapshot compiled when `snapshotChanged` (the primary
   * decided). False when that compile threw (the last good table keeps serving).
   */
  apply(update: SourceUpdate, snapshotChanged: boolean): boolean;
  /** Binds both listeners (SO_REUSEPORT); port 0 asks the OS. Call after the first update. */
  listen(ports: ListenerPorts): Promise<ListenerPorts>;
  /** prom-client JSON of this worker's counters, for the primary to aggregate; null when metrics are off. */
  metrics(): Promise<unknown[] | null>;
  announceShutdown(): void;
  /** Stops accepting at once (before the first await), then waits for in-flight work up to graceMs. */
  drain(graceMs: number, onListenersClosed: () => void): Promise<void>;
}

export async function startDataPlane(options: DataPlaneOptions): Promise<DataPlane> {
  const { config, logger } = options;
  const live: LiveSources = {};
  const observability = servingObservability(config, live, accessLogSink(options));
  const tableSlot = new TableSlot(compile(emptySnapshot, config.compile).table);
  const { RedisRateStore } = config.rateLimitStore === undefined ? { RedisRateStore: undefined } : await import('../proxy/rate-limit/redis-store.ts');
  const store =
    config.rateLimitStore === undefined || RedisRateStore === undefined
      ? null
      : new RedisRateStore(config.rateLimitStore.url, config.rateLimitStore.timeoutMs, () => logger.info('rate-limit store connected'));
  const limits = new RateLimits({
    store,
    logger,
    memory: options.rateLimitMemory,
  });
  attachRateLimits(tableSlot, limits);
  const certificates = new CertificateStore({
    settings: { protocols: config.tls.protocols, ciphers: config.tls.ciphers },
    fakeCertificate: options.fakeCertificate,
    plan: { isServed: servedBy(config), order: compareIngresses, defaultSecret: config.tls.defaultSslCertificate },
  });
  const endpoints = new EndpointStore();
  // Kept from compile to compile: a change recompiles only the hosts it touches (router/compile-cache.ts).
  const compileCache = new CompileCache();
  const updater = new RouteUpdater({
    // Certificates are planned from the same snapshot and installed just before its routing table. The primary
    // reports diagnostics (once, not once per worker), so this updater stays quiet.
    // `previous`: the serving table's settings, kept for a global ConfigMap key whose new value is invalid.
    compile: (snapshot, compileOptions, previous) => {
      const compiled = compile(snapshot, compileOptions, previous, compileCache);
      return { ...compiled, diagnostics: [...compiled.diagnostics, ...certificates.update(snapshot)] };
    },
    options: config.compile,
    installTable: (table) => tableSlot.swap(table),
    updateEndpoints: (update) => endpoints.update(update.endpointSlices),
    logger,
    quiet: true,
    ...(options.settings === undefined ? {} : { initialSettings: options.settings }),
  });
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

  return {
    apply(update, snapshotChanged) {
      const failedBefore = updater.failedCompiles;
      updater.apply(update, [], snapshotChanged);
      return updater.failedCompiles === failedBefore;
    },
    async listen(ports) {
      // SO_REUSEPORT: every worker binds the same ports, several sockets each (listen.ts: libuv accepts one
      // connection per socket and loop iteration), and the kernel spreads new connections over all of them.
      const acceptors = acceptorsPerWorker(config.workers);
      const http = await listenWithAcceptors(proxy.server, { port: ports.http, host: config.bindAddress }, acceptors);
      const https = await listenWithAcceptors(secureProxy.server, { port: ports.https, host: config.bindAddress }, acceptors);
      return { http, https };
    },
    metrics: () => observability.metricsJson(),
    announceShutdown() {
      proxy.announceShutdown();
      secureProxy.announceShutdown();
    },
    async drain(graceMs, onListenersClosed) {
      const draining = Promise.all([proxy.drain(graceMs), secureProxy.drain(graceMs)]);
      onListenersClosed();
      await draining;
      await upstreams.close();
      store?.close();
      await observability.close();
    },
  };
}
/** A worker's access-log lines: to the primary for stdout (its port), else straight to the file. */
function accessLogSink({ config, logger, accessLogPort }: DataPlaneOptions): LineSink | null {
  if (accessLogPort !== null) return portSink(accessLogPort);
  if (config.accessLog === 'off') return null;
  if (config.accessLog === 'stdout') throw new Error('--access-log stdout: the primary writes it; the worker needs its port');
  return fileSink(config.accessLog, (error) => logger.error({ err: error, file: config.accessLog }, 'access log: write failed; lines are dropped from now on'));
}
