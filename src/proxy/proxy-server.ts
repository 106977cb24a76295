// The factory: Sluice's own HTTP/1.x server (plain listener, http1/) or a node:http2 secure server that also speaks
// HTTP/1.1 (TLS listener), whose 'request' and 'upgrade' listeners are the proxy, plus the shutdown that lets
// in-flight work finish.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import type { Server as NetServer, Socket } from 'node:net';
import type { TlsOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { TrustedProxies } from './client-address.ts';
import type { EndpointStore } from './endpoints/endpoint-store.ts';
import type { ProxyContext } from './proxy-context.ts';
import type { Http1Request } from './http1/http1-request.ts';
import type { Http1Response } from './http1/http1-response.ts';
import { Http1Server } from './http1/http1-server.ts';
import { createRequestHandler } from './request-handler.ts';
import type { RequestObserver } from './metrics/request-observer.ts';
import { announceShutdown, drainServer, type SecureConnections } from './server-drain.ts';
import type { TableSlot } from './table-slot.ts';
import { createUpgradeHandler } from './upgrade/upgrade-handler.ts';
import { Upstreams } from './upstream/upstreams.ts';

export interface ProxyServerOptions {
  readonly tableSlot: TableSlot;
  readonly endpoints: EndpointStore;
  readonly normalizeHost: (host: string) => string;
  readonly normalizeRequestPath: (rawPath: string) => string | null;
  readonly logger: Logger;
  /** Makes this the HTTPS listener: certificates by SNI (built by src/tls), scheme https, optional HSTS. */
  readonly tls?: ProxyTlsOptions;
  /**
   * Pools and balancers shared with the other listeners (main.ts passes one instance to both); the caller
   * closes them. Without it the server owns a private set and closes it when drained.
   */
  readonly upstreams?: Upstreams;
  /** --trusted-proxies (client-address.ts); absent: the TCP peer is the client. */
  readonly trustedProxies?: TrustedProxies | null;
  /** Metrics / access log (metrics/request-observer.ts); absent: off. */
  readonly observer?: RequestObserver | null;
}

export interface ProxyTlsOptions {
  /** Server options from tls/'s CertificateStore: default certificate, SNI callback, versions, ciphers. */
  readonly serverOptions: TlsOptions;
  /**
   * Whether a (normalised) host is served with a certificate of its own: only those get the table's
   * Strict-Transport-Security (settings.strictTransportSecurity).
   */
  readonly hasOwnCertificate: (host: string) => boolean;
}

export interface ProxyServer<S extends NetServer = Http1Server | Http2SecureServer> {
  /** Not listening yet: the caller chooses address and port. */
  readonly server: S;
  /**
   * Stops accepting, lets requests, HTTP/2 streams and WebSockets in flight finish for up to `graceMs`, then
   * cuts what is left (and closes the upstream pools when this server owns them).
   */
  drain(graceMs: number): Promise<void>;
  /** drain(0). */
  close(): Promise<void>;
  /** From now on HTTP/1.x answers say `Connection: close` (server-drain.ts); HTTP/2 sessions get GOAWAY at drain. */
  announceShutdown(): void;
}

/** ingress-nginx: keep-alive 75 s (HTTP/1.1 and HTTP/2 idle connections alike). */
const keepAliveTimeoutMs = 75_000;

const httpOptions = {
  // ingress-nginx: client-header-timeout 60 s. No whole-request deadline (node:http's default 300 s would cut long
  // uploads and downloads); slow bodies are bounded by the upstream read and send timeouts.
  keepAliveTimeout: keepAliveTimeoutMs,
  headersTimeout: 60_000,
};

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function createProxyServer(options: ProxyServerOptions & { readonly tls: ProxyTlsOptions }): ProxyServer<Http2SecureServer>;
export function createProxyServer(options: ProxyServerOptions & { readonly tls?: undefined }): ProxyServer<Http1Server>;
export function createProxyServer(options: ProxyServerOptions): ProxyServer;
export function createProxyServer(options: ProxyServerOptions): ProxyServer {
  const owned = options.upstreams === undefined;
  const { tableSlot, endpoints, logger } = options;
  const connectTimeoutMs = (): number => tableSlot.current.settings.proxyConnectTimeoutMs;
  const upstreams = options.upstreams ?? new Upstreams({ endpoints, connectTimeoutMs, logger });
  const ctx: ProxyContext = {
    tableSlot: options.tableSlot,
    endpoints: options.endpoints,
    pools: upstreams.pools,
    balancers: upstreams.balancers,
    readDeadlines: upstreams.readDeadlines,
    normalizeHost: options.normalizeHost,
    normalizeRequestPath: options.normalizeRequestPath,
    scheme: options.tls === undefined ? 'http' : 'https',
    hasOwnCertificate: options.tls?.hasOwnCertificate ?? null,
    logger: options.logger,
    trustedProxies: options.trustedProxies ?? null,
    observer: options.observer ?? null,
  };
  const tunnels = new Set<Duplex>();
  const handler = createRequestHandler(ctx);
  const tls = options.tls;
  // HTTP/1.x on either listener is Sluice's own server (http1/): its requests are Http1Request/Http1Response, which
  // carry every member of IncomingMessage/ServerResponse the handler uses (the contract node:http2's compatibility
  // objects meet for h2 streams), hence the cast. On the TLS listener it never listens itself: it serves the
  // connections whose ALPN did not choose h2.
  const http1 = new Http1Server(httpOptions, handler as unknown as (req: Http1Request, res: Http1Response) => void);
  const secure: SecureConnections | null = tls === undefined ? null : { sessions: new Set(), sockets: new Set(), http1 };
  const server: Http1Server | Http2SecureServer = tls === undefined || secure === null ? http1 : createHttpsServer(tls, secure, handler);
  // The connection gauges (metrics on): counted per connection, not per request.
  ctx.observer?.watchServer(server, tls !== undefined);
  // HTTP/1.1 only (on the TLS listener too): HTTP/2 WebSockets need RFC 8441 extended CONNECT, not offered, so
  // browsers open an HTTP/1.1 connection for them.
  http1.on('upgrade', createUpgradeHandler(ctx, tunnels));
  // `Expect: 100-continue` reaches the request handler unanswered (node:http2 would otherwise send 100 Continue at
  // once, before Sluice could refuse the request with a 413 or a redirect); forward() sends it (request-handler.ts).
  // Sluice's own HTTP/1.x server always emits 'request' and never answers 100 itself.
  if (tls !== undefined) server.on('checkContinue', handler);
  const drain = async (graceMs: number): Promise<void> => {
    await drainServer(server, secure, tunnels, graceMs);
    if (owned) await upstreams.close();
  };
  return { server, drain, close: () => drain(0), announceShutdown: () => announceShutdown(http1) };
}

/**
 * The TLS listener: ALPN offers h2 then http/1.1. h2 sessions are node:http2's; every other connection (ALPN
 * http/1.1, or a client without ALPN) reaches 'unknownProtocol' — node:http2's documented hand-off when allowHTTP1
 * is off — and from there Sluice's own HTTP/1.x server (`secure.http1`), as on the plain listener: node:http's
 * machinery under allowHTTP1 cost the same ≈ 7 µs per request as on the plain listener. The handler is written
 * against node:http's request and response; node:http2's compatibility objects provide every member it uses
 * (rawHeaders, url, method, socket addresses, the stream events; writeHead with a flat header list, write/drain,
 * end, destroy), hence the cast here.
 */
function createHttpsServer(tls: ProxyTlsOptions, secure: SecureConnections, handler: Handler): Http2SecureServer {
  // ALPN by callback: with allowHTTP1 off, node:http2 would offer h2 alone. h2 first (the server's preference).
  const ALPNCallback = ({ protocols }: { protocols: string[] }): string | undefined =>
    protocols.includes('h2') ? 'h2' : protocols.includes('http/1.1') ? 'http/1.1' : undefined;
  const options = { ...tls.serverOptions, allowHTTP1: false, ALPNCallback };
  const server = createSecureServer(options, handler as unknown as Parameters<typeof createSecureServer>[1]);
  server.on('unknownProtocol', (socket: Socket) => {
    // As the plain listener's sockets (and node:http's): no Nagle delay on answers.
    socket.setNoDelay(true);
    secure.http1.emit('connection', socket);
  });
  server.on('connection', (socket: Socket) => {
    secure.sockets.add(socket);
    socket.once('close', () => secure.sockets.delete(socket));
  });
  server.on('session', (session: ServerHttp2Session) => {
    secure.sessions.add(session);
    session.once('close', () => secure.sessions.delete(session));
    // Idle HTTP/2 connections end like HTTP/1.1 keep-alive ones: GOAWAY after 75 s without a frame.
    session.setTimeout(keepAliveTimeoutMs, () => session.close());
  });
  return server;
}
