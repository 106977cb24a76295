// Wiring only: builds each stage and connects them in the pipeline's one direction
// (source → snapshot → compile → route table → proxy). Behaviour lives in the stages.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { GatewayConfig } from './cli/options.ts';
import { emptySnapshot } from './model/index.ts';
import { compile, normalizeHost, normalizeRequestPath } from './router/index.ts';
import { ManifestSource } from './watch/index.ts';
import { EndpointStore, RouteUpdater, TableSlot, createProxyServer, createStatusServer } from './proxy/index.ts';

export interface RunningGateway {
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), closes everything. */
  shutdown(graceMs: number): Promise<void>;
}

export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  let ready = false;
  let notReadyReason = 'waiting for the first complete load of objects';
  const status = createStatusServer({ isReady: () => ready, notReadyReason: () => notReadyReason });
  await listen(status, config.statusPort, config.bindAddress, 'status', logger);

  const tableSlot = new TableSlot(compile(emptySnapshot, config.compile).table);
  const endpoints = new EndpointStore();
  const updater = new RouteUpdater({
    compile,
    options: config.compile,
    installTable: (table) => tableSlot.swap(table),
    updateEndpoints: (update) => endpoints.update(update.endpointSlices),
    logger,
  });
  const source = new ManifestSource({
    path: config.manifests ?? '',
    logger,
    onUpdate: (update, diagnostics) => updater.apply(update, diagnostics),
  });
  await source.start();

  const proxy = createProxyServer({
    tableSlot,
    endpoints,
    normalizeHost,
    normalizeRequestPath,
    connectTimeoutMs: config.proxyConnectTimeoutMs,
    readTimeoutMs: config.proxyReadTimeoutMs,
    logger,
  });
  // Traffic is accepted only once the first complete load is compiled: answering from an empty or partial
  // table would send real requests to 404s.
  await listen(proxy.server, config.httpPort, config.bindAddress, 'http', logger);
  ready = true;

  return {
    async shutdown(graceMs) {
      ready = false;
      notReadyReason = 'shutting down';
      await source.close();
      await proxy.drain(graceMs);
      await new Promise<void>((resolve) => status.close(() => resolve()));
    },
  };
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
