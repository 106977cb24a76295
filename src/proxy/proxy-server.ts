// The factory: a node:http server whose 'request' and 'upgrade' listeners are the proxy, plus the shutdown that
// lets in-flight work finish and closes the upstream pools.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { TlsOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { Balancers } from './balancer/balancers.ts';
import type { EndpointStore } from './endpoints/endpoint-store.ts';
import type { ProxyContext } from './proxy-context.ts';
import { createRequestHandler } from './request-handler.ts';
import type { TableSlot } from './table-slot.ts';
import { createUpgradeHandler } from './upgrade/upgrade-handler.ts';
import { UpstreamPools } from './upstream/upstream-pools.ts';

export interface ProxyServerOptions {
  readonly tableSlot: TableSlot;
  readonly endpoints: EndpointStore;
  readonly normalizeHost: (host: string) => string;
  readonly normalizeRequestPath: (rawPath: string) => string | null;
  /** Upstream TCP connect timeout (→ 504); ingress-nginx proxy-connect-timeout, default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Gap allowed between two reads from the upstream (→ 504 / cut); proxy-read-timeout, default 60 s. */
  readonly readTimeoutMs?: number;
  readonly logger: Logger;
  /** Makes this the HTTPS listener: certificates by SNI (built by src/tls), scheme https, optional HSTS. */
  readonly tls?: ProxyTlsOptions;
}

export interface ProxyTlsOptions {
  /** Server options from tls/'s CertificateStore: default certificate, SNI callback, versions, ciphers. */
  readonly serverOptions: TlsOptions;
  /** The Strict-Transport-Security value for a request's Host, or null (hsts off, host on the default certificate). */
  readonly hstsFor: (host: string) => string | null;
}

export interface ProxyServer {
  /** Not listening yet: the caller chooses address and port. */
  readonly server: Server;
  /**
   * Stops accepting, lets requests and WebSockets in flight finish for up to `graceMs`, then cuts what is
   * left and closes every upstream pool.
   */
  drain(graceMs: number): Promise<void>;
  /** drain(0). */
  close(): Promise<void>;
}

export function createProxyServer(options: ProxyServerOptions): ProxyServer {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const readTimeoutMs = options.readTimeoutMs ?? 60_000;
  const pools = new UpstreamPools({ connectTimeoutMs, readTimeoutMs, logger: options.logger });
  const ctx: ProxyContext = {
    tableSlot: options.tableSlot,
    endpoints: options.endpoints,
    pools,
    balancers: new Balancers(),
    normalizeHost: options.normalizeHost,
    normalizeRequestPath: options.normalizeRequestPath,
    scheme: options.tls === undefined ? 'http' : 'https',
    connectTimeoutMs,
    readTimeoutMs,
    logger: options.logger,
  };
  // Pools follow the endpoint set: those of endpoints no backend routes to any more are closed gracefully.
  const unsubscribe = options.endpoints.onChange(() => pools.retain(options.endpoints.liveEndpointKeys()));
  const tunnels = new Set<Duplex>();
  const httpOptions = {
    // ingress-nginx: keep-alive 75 s, client-header-timeout 60 s. No whole-request deadline (node's default
    // 300 s would cut long uploads and downloads); slow bodies are bounded by the upstream read timeout.
    keepAliveTimeout: 75_000,
    headersTimeout: 60_000,
    requestTimeout: 0,
  };
  const handler = createRequestHandler(ctx);
  const tls = options.tls;
  const server: Server =
    tls === undefined
      ? createServer(httpOptions, handler)
      : createTlsServer({ ...httpOptions, ...tls.serverOptions, ALPNProtocols: ['http/1.1'] }, withHsts(tls, options, handler));
  server.on('upgrade', createUpgradeHandler(ctx, tunnels));
  const drain = async (graceMs: number): Promise<void> => {
    unsubscribe();
    await drainServer(server, tunnels, graceMs);
    await pools.closeAll(true);
  };
  return { server, drain, close: () => drain(0) };
}

/** HSTS is set before the handler runs so it is on every answer: proxied, redirects and errors alike. */
function withHsts(tls: ProxyTlsOptions, options: ProxyServerOptions, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const value = tls.hstsFor(options.normalizeHost(req.headers.host ?? ''));
    if (value !== null) res.setHeader('strict-transport-security', value);
    handler(req, res);
  };
}

async function drainServer(server: Server, tunnels: Set<Duplex>, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
  // close() only drops connections idle at that instant; a keep-alive connection whose response finishes later
  // would sit idle until keepAliveTimeout (75 s). Sweeping idle ones while waiting lets drain end as soon as
  // the last in-flight response does.
  server.closeIdleConnections();
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([closed, graceOver]);
  clearInterval(sweeper);
  clearTimeout(timer);
  server.closeAllConnections();
  for (const socket of tunnels) socket.destroy();
  await closed;
}
